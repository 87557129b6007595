// Verification of the stored log: what `kasse verify` proves about the events themselves.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ledger/event.h"
#include "ledger/hash.h"
#include "ledger/set_digest.h"
#include "ledger/status.h"
#include "ledger/store.h"

namespace kasse {

struct SealCheck {
  uint64_t seal_seq = 0;
  Date date;
  std::string auditor;  // "" when erased
  AuditSealed seal;
};

struct ChainSummary {
  std::vector<SealCheck> seals;  // every seal, each found intact
  uint64_t events = 0;
  uint64_t personal_records = 0;
  uint64_t uncommitted_events = 0;  // remains of an unfinished import above the head (harmless)
  // The projection state as stored (Ledger::ForEachState), read beside the log and digested under
  // the key this run drew: a caller that replays the log digests its state under the same key
  // (StateEntryHash) and needs to compare key by key only when the digests differ.
  SipKey digest_key{};
  SetDigest stored_state;
};

// Checks, in one pass over the log:
//  - the keys run 1..head without a gap and each event's envelope names its own key;
//  - each event's prev_hash is the SHA-256 of its predecessor's stored bytes, and the SHA-256 of
//    the last one is the head hash kept in the metadata;
//  - every event decodes, and the id index points back to it and holds nothing else;
//  - its personal data is there and matches the digest chained in the event, and there is no
//    other personal data.
// Hands each event, once its bytes are vouched for, to `fold` (when given), so that a caller
// can replay the log in the same pass. Returns Corruption naming the first bad sequence number,
// or the first error of `fold`.
using EventFold = std::function<Status(const Event& event)>;
Status VerifyChain(const Ledger& ledger, ChainSummary* summary, const EventFold& fold = {});

// Checks that `seal` covers an event of `ledger` whose stored bytes still have the sealed hash.
// Rejected, naming the seal's numbers, when not.
Status CheckSeal(const Ledger& ledger, const AuditSealed& seal);

}  // namespace kasse
