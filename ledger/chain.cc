#include "ledger/chain.h"

#include <fmt/format.h>

#include <future>

#include "ledger/codec.h"
#include "ledger/hash.h"
#include "ledger/read_ahead.h"
#include "ledger/set_digest.h"

namespace kasse {

namespace {

// The 8-byte seq first, so that no id or subject can shift the boundary between the parts.
Sip128 IndexEntryHash(KeyedHash* hash, uint64_t seq, std::string_view id) {
  return hash->Of(SeqKey(seq), id);
}

Sip128 PersonalEntryHash(KeyedHash* hash, uint64_t seq, const Sha256& digest,
                         std::string_view subject) {
  const std::string_view digest_bytes(reinterpret_cast<const char*>(digest.data()), digest.size());
  return hash->Of(SeqKey(seq), digest_bytes, subject);
}

// What the log says the id index and the personal data must hold (or, found, what they hold),
// and the projection state as stored.
struct ExpectedEntries {
  SetDigest index;
  SetDigest personal;
  SetDigest state;  // found only: the log does not say what it must be; a fresh replay does
};

Status DecodeAndNoteSeal(uint64_t seq, const Envelope& envelope, Event* event,
                         ChainSummary* summary) {
  KASSE_RETURN_IF_ERROR(DecodeEnvelope(envelope, event));
  if (auto* seal = std::get_if<AuditSealed>(&event->body)) {
    if (seal->covers_seq >= seq) {
      return Status::Corruption("it is a seal of later events");
    }
    summary->seals.push_back({seq, event->date, "", *seal});
  }
  return Status::Ok();
}

// Notes the id index entry and the personal record that `event` says must exist.
void NoteEntriesOf(const Event& event, KeyedHash* hash, ExpectedEntries* expected) {
  expected->index.Add(IndexEntryHash(hash, event.seq, event.id));
  if (!event.subject.empty()) {
    expected->personal.Add(
        PersonalEntryHash(hash, event.seq, event.personal_digest, event.subject));
  }
}

// The entries of one event, read one by one: names what is wrong with them. Called for the
// events in log order, with the same `salts` throughout.
Status CheckEntriesOf(const Ledger& ledger, const Event& event, Ledger::SubjectSalts* salts) {
  uint64_t indexed_seq = 0;
  Status indexed = ledger.IndexedSeq(event.id, &indexed_seq);
  if (!indexed.ok() || indexed_seq != event.seq) {
    return Status::Corruption(
        fmt::format("the id index does not point to it (id \"{}\")", event.id));
  }
  if (event.subject.empty()) return Status::Ok();
  Sha256 digest;
  Status found = ledger.PersonalDigestOf(event, salts, &digest);
  if (found.code() == Status::Code::kNotFound) {
    return Status::Corruption("its personal data is missing, and no erasure was recorded");
  }
  KASSE_RETURN_IF_ERROR(found);
  if (digest != event.personal_digest) {
    return Status::Corruption("its personal data was altered: it does not match its digest");
  }
  return Status::Ok();
}

// What the id index, the personal data and the projection state hold, as sets; independent of
// the log, so they are scanned on a thread of its own while the log is read.
Status ScanIndexPersonalAndState(const Ledger& ledger, const SipKey& key, ExpectedEntries* found) {
  KeyedHash hash(key);
  KASSE_RETURN_IF_ERROR(ledger.ForEachIndexEntry([&](std::string_view id, uint64_t seq) {
    found->index.Add(IndexEntryHash(&hash, seq, id));
    return Status::Ok();
  }));
  KASSE_RETURN_IF_ERROR(ledger.ForEachPersonalDigest(
      [&](std::string_view subject, uint64_t seq, const Sha256& digest) {
        found->personal.Add(PersonalEntryHash(&hash, seq, digest, subject));
        return Status::Ok();
      }));
  return ledger.ForEachState("", [&](std::string_view state_key, std::string_view value) {
    found->state.Add(StateEntryHash(&hash, state_key, value));
    return Status::Ok();
  });
}

Status CheckIndexAndPersonal(const Ledger& ledger, const ExpectedEntries& expected,
                             const ExpectedEntries& found) {
  if (found.index == expected.index && found.personal == expected.personal) return Status::Ok();
  // Something differs: find the first event whose entries are wrong, one read at a time.
  Ledger::SubjectSalts salts;
  KASSE_RETURN_IF_ERROR(ledger.ForEachEvent(
      1, ledger.head_seq(), /*with_personal=*/false, [&](const Ledger::EventRecord& record) {
        return CheckEntriesOf(ledger, record.event, &salts)
            .WithContext(fmt::format("event seq {}", record.event.seq));
      }));
  // Every event has its entries, so there are entries that belong to no event.
  if (!(found.index == expected.index)) {
    return Status::Corruption(
        fmt::format("the id index holds {} entries for {} events: some point to events that do "
                    "not carry their id",
                    found.index.count, expected.index.count));
  }
  return Status::Corruption(
      fmt::format("personal data holds {} records where the events chain {}: some belong to no "
                  "event",
                  found.personal.count, expected.personal.count));
}

// Reads the log in key order and checks its chain, handing each event to `emit` once its bytes
// are vouched for: by its successor's prev_hash, or for the last one by the head hash.
Status CheckLog(const Ledger& ledger, ChainSummary* summary, ReadAhead<Event>::Emitter& emit) {
  uint64_t expected_seq = 1;
  Sha256 expected_prev{};  // seq 1 follows the zero hash
  // Each event is decoded into the read-ahead's next slot (a spent event, whose strings the
  // decode reuses) and published once vouched for.
  bool has_unvouched = false;
  bool consumer_gone = false;
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
    if (has_unvouched && !emit.Publish()) {
      consumer_gone = true;
      return Status::NotFound("stopped");  // ends the scan; nobody listens any more
    }
    has_unvouched = false;
    Status decoded = DecodeAndNoteSeal(seq, envelope, &emit.slot(), summary);
    if (!decoded.ok()) return decoded.WithContext(fmt::format("event seq {}", seq));
    expected_prev = ComputeSha256(stored.bytes);
    ++expected_seq;
    ++summary->events;
    has_unvouched = true;
    return Status::Ok();
  });
  if (consumer_gone) return Status::Ok();
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
  if (has_unvouched) emit.Publish();
  return Status::Ok();
}

}  // namespace

Status VerifyChain(const Ledger& ledger, ChainSummary* summary, const EventFold& fold) {
  *summary = ChainSummary();
  SipKey& key = summary->digest_key;  // see SetDigest
  FillRandomBytes(key.data(), key.size());
  ExpectedEntries expected;
  ExpectedEntries found;
  std::future<Status> scanned = std::async(std::launch::async, [&ledger, &key, &found] {
    return ScanIndexPersonalAndState(ledger, key, &found);
  });
  {
    // The log is read, checked and decoded on a second thread while this one notes each event's
    // entries and folds it. (Reading is the longest part of verify: noting the entries there
    // made verify slower.)
    ReadAhead<Event> vouched(
        [&](ReadAhead<Event>::Emitter& emit) { return CheckLog(ledger, summary, emit); });
    KeyedHash hash(key);
    while (true) {
      Event* event = nullptr;
      bool done = false;
      KASSE_RETURN_IF_ERROR(vouched.NextInPlace(&event, &done));
      if (done) break;
      NoteEntriesOf(*event, &hash, &expected);
      if (fold) KASSE_RETURN_IF_ERROR(fold(*event));
    }
  }
  KASSE_RETURN_IF_ERROR(scanned.get());
  KASSE_RETURN_IF_ERROR(CheckIndexAndPersonal(ledger, expected, found));
  summary->personal_records = expected.personal.count;
  summary->stored_state = found.state;
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
