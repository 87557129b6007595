#include "ledger/chain.h"

#include <fmt/format.h>

#include "ledger/codec.h"
#include "ledger/hash.h"

namespace kasse {

namespace {

Status CheckEvent(const Ledger& ledger, uint64_t seq, std::string_view bytes,
                  ChainSummary* summary) {
  Event event;
  Sha256 prev_hash;
  KASSE_RETURN_IF_ERROR(DecodeEvent(bytes, &event, &prev_hash));
  if (auto* seal = std::get_if<AuditSealed>(&event.body)) {
    if (seal->covers_seq >= seq) {
      return Status::Corruption("it is a seal of later events");
    }
    summary->seals.push_back({seq, event.date, "", *seal});
  }
  uint64_t indexed_seq = 0;
  Status indexed = ledger.IndexedSeq(event.id, &indexed_seq);
  if (!indexed.ok() || indexed_seq != seq) {
    return Status::Corruption(
        fmt::format("the id index does not point to it (id \"{}\")", event.id));
  }
  if (event.subject.empty()) return Status::Ok();
  std::string record;
  Status found = ledger.ReadPersonalRecord(event, &record);
  if (found.code() == Status::Code::kNotFound) {
    return Status::Corruption("its personal data is missing, and no erasure was recorded");
  }
  KASSE_RETURN_IF_ERROR(found);
  if (PersonalDigest(record) != event.personal_digest) {
    return Status::Corruption("its personal data was altered: it does not match its digest");
  }
  ++summary->personal_records;
  return Status::Ok();
}

}  // namespace

Status VerifyChain(const Ledger& ledger, ChainSummary* summary) {
  *summary = ChainSummary();
  uint64_t expected_seq = 1;
  Sha256 expected_prev{};  // seq 1 follows the zero hash
  Status status = ledger.ForEachStoredBytes([&](const StoredEventBytes& stored) {
    const uint64_t seq = expected_seq;
    if (stored.key_seq != seq) {
      return Status::Corruption(
          fmt::format("event seq {} is missing (the next stored is seq {})", seq, stored.key_seq));
    }
    Envelope envelope;
    Status parsed = ParseEnvelope(stored.bytes, &envelope);
    if (!parsed.ok()) return parsed.WithContext(fmt::format("event seq {}", seq));
    if (envelope.seq != seq) {
      return Status::Corruption(fmt::format(
          "event seq {}: the stored bytes are those of seq {} (events were moved or swapped)", seq,
          envelope.seq));
    }
    if (envelope.prev_hash != expected_prev) {
      // A change to event N changes its hash, so it shows at the link N -> N+1; the event named
      // is the first whose stored bytes are not what its successor was chained to.
      return Status::Corruption(fmt::format(
          "event seq {}: its stored bytes do not match the hash chained in event seq {} (the "
          "event was altered)",
          seq - 1, seq));
    }
    Status checked = CheckEvent(ledger, seq, stored.bytes, summary);
    if (!checked.ok()) return checked.WithContext(fmt::format("event seq {}", seq));
    expected_prev = ComputeSha256(stored.bytes);
    ++expected_seq;
    ++summary->events;
    return Status::Ok();
  });
  KASSE_RETURN_IF_ERROR(status);
  if (summary->events != ledger.head_seq()) {
    return Status::Corruption(fmt::format("event seq {} is missing (the ledger's head is seq {})",
                                          expected_seq, ledger.head_seq()));
  }
  if (expected_prev != ledger.head_hash()) {
    return Status::Corruption(fmt::format(
        "event seq {}: its stored bytes do not match the head hash kept in the metadata (the "
        "event was altered)",
        ledger.head_seq()));
  }
  for (SealCheck& check : summary->seals) {
    Status sealed = CheckSeal(ledger, check.seal);
    if (!sealed.ok()) {
      return Status::Corruption(
          fmt::format("the seal at seq {}: {}", check.seal_seq, sealed.message()));
    }
  }
  return ledger.CountUncommittedEvents(&summary->uncommitted_events);
}

Status CheckSeal(const Ledger& ledger, const AuditSealed& seal) {
  Sha256 hash;
  Status found = ledger.HashOfEvent(seal.covers_seq, &hash);
  if (found.code() == Status::Code::kNotFound) {
    return Status::Rejected(
        fmt::format("field \"covers_seq\": no event with seq {} was recorded "
                    "before",
                    seal.covers_seq));
  }
  KASSE_RETURN_IF_ERROR(found);
  if (hash != seal.covers_hash) {
    return Status::Rejected(fmt::format(
        "field \"covers_hash\": event seq {} has the hash {}, not the sealed {}: the history "
        "up to it was changed after the seal",
        seal.covers_seq, HexOf(hash), HexOf(seal.covers_hash)));
  }
  return Status::Ok();
}

}  // namespace kasse
