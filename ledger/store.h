// The event store: an append-only log of events in RocksDB, chained by SHA-256, with an index from
// client id to sequence number, personal data kept apart, and opaque projection state.
//
// Column families (schemas/STORAGE.md has the byte layout):
//   default   metadata: format version, ledger name, head sequence and head hash
//   events    8-byte big-endian seq -> stored event bytes (ledger/codec.h)
//   ids       client id -> 8-byte big-endian seq
//   personal  subject, 0x00, 8-byte big-endian seq -> personal text and its salt, or a mark that
//             it uses the salt of the subject's record before it (ledger/codec.h)
//   state     key -> value, owned by the projections; the ledger never interprets it
//
// Atomicity: what readers see is bounded by the head sequence in the metadata, and the head moves
// only in the final, synced WriteBatch of an append, together with the projection state. Large
// imports write their events ahead in chunks above the head, as table files ingested into the
// events, ids and personal families (ledger/ingest.h); a crash or an abort leaves those
// invisible, and the next writer removes them, and any table file staged in the ledger's folder
// "ingest" and not ingested. So an append is wholly in or wholly out.
//
// Projection state that an import changes can outgrow memory (at 10M events, hundreds of MB), so
// an Appender may write it ahead too, into a pending area of the state family that readers ignore
// until the final batch sets a marker beside the head. From then on the pending values shadow the
// stored ones (GetState, ForEachState), and the writer moves them into place in chunks and
// removes the marker; a writer that finds the marker at open finishes the move, one that finds a
// pending area without it (a crashed or aborted import) deletes it. A replay writes all the state
// anew: as one ingested table file that deletes the stored state and holds the new, or, when the
// new state outgrows memory, the same way as an import, with a marker that says the pending area
// replaces the stored state: readers then see only the pending keys, and the move deletes the
// stored state first.
//
// Threads: a Ledger is used by one thread at a time. (Internally, long reads decode on a second
// thread; RocksDB allows concurrent reads.)
#pragma once

#include <atomic>
#include <cassert>
#include <cstdint>
#include <functional>
#include <future>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ledger/chunk.h"
#include "ledger/codec.h"
#include "ledger/event.h"
#include "ledger/id_filter.h"
#include "ledger/status.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace kasse {

struct IngestFamily;  // ledger/ingest.h

// The layout described in schemas/STORAGE.md. Version 2 changed only the personal records (one
// salt per subject and append, ledger/codec.h); this build reads and appends to ledgers of either
// version and creates version 2.
inline constexpr uint32_t kFormatVersion = 2;

// A projection state key and its value, as views into the caller's memory.
using StateEntry = std::pair<std::string_view, std::string_view>;
// Projection state to write: in key order, each key once. RocksDB keeps keys in order: its
// memtable inserts sorted keys at a quarter of the cost of unsorted ones (callgrind of a replay of
// 100k events: 131M instructions in the skip list unsorted, 28M sorted), and a table file takes
// only sorted keys. Views that must stay valid during the call that writes them.
using StateChanges = std::span<const StateEntry>;

// How many events a writer is opened to append: a recording appends a few, an import many, a
// replay none (it reads the whole log and writes all the state again). Many appends pay for what
// makes each lookup cheap (every table file kept open, a memtable filter of the id index) and
// compact as they go. A few do not, and compact only when level 0 is full (see
// FamilyDescriptors in store.cc). A replay keeps every table file open for its reads but
// compacts like a recording: the log's compaction is not its work.
enum class Appends { kFew, kMany, kNone };

struct StoredEventBytes {
  uint64_t key_seq = 0;  // the sequence number in the key, which verify checks against the bytes
  std::string_view bytes;
};

class Ledger {
 public:
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Creates a new ledger at `path`, which must not exist yet (or be an empty directory).
  static Status Create(const std::string& path, const std::string& name,
                       std::unique_ptr<Ledger>* ledger);
  // Opens for appending. Busy, naming the process, when another process writes; NotFound or
  // InvalidInput when `path` is no kasse ledger; Rejected when a newer kasse wrote it. Removes
  // the invisible remains of an import that crashed.
  static Status OpenForWrite(const std::string& path, Appends appends,
                             std::unique_ptr<Ledger>* ledger);
  // Opens for reading beside a writer that may be running (a RocksDB secondary instance).
  static Status OpenForRead(const std::string& path, std::unique_ptr<Ledger>* ledger);
  // Opens for reading only the metadata and the projection state, which is all that a report
  // from projections reads, and opens fast however long the log. Only name(), head_seq(),
  // head_hash(), GetState() and ForEachState() may be called on such a ledger.
  static Status OpenForReports(const std::string& path, std::unique_ptr<Ledger>* ledger);

  const std::string& name() const { return name_; }
  uint64_t head_seq() const { return head_seq_; }
  const Sha256& head_hash() const { return head_hash_; }
  const std::string& path() const { return path_; }

  // Reads event `seq` (1..head_seq) with its personal data. NotFound beyond the head.
  Status ReadEvent(uint64_t seq, Event* event) const;
  // As ReadEvent, without the personal data (`personal` stays nullopt): one read instead of two,
  // for a replay, whose rules need no personal data of earlier events.
  Status ReadEventWithoutPersonal(uint64_t seq, Event* event) const;
  // The SHA-256 of the stored bytes of event `seq` (1..head_seq).
  Status HashOfEvent(uint64_t seq, Sha256* hash) const;
  // Finds the sequence number of client id `id`; NotFound when no recorded event has it.
  Status FindId(std::string_view id, uint64_t* seq) const;
  // Reads the event with client id `id` if it was recorded before seq `before_seq`, with its
  // personal data when `with_personal`; NotFound otherwise. FindId and then ReadEvent would
  // read and decode the event twice: what a replay does for each reversal.
  Status FindEventBefore(std::string_view id, uint64_t before_seq, bool with_personal,
                         Event* event) const;
  // The raw id index entry of `id` within 1..head_seq, without reading the event (for verify,
  // which checks every entry against its event anyway).
  Status IndexedSeq(std::string_view id, uint64_t* seq) const;

  // The earlier event that an event names by id (an entry.reversed's `reverses`), as
  // FindEventBefore(id, seq of the naming event, whether it carries personal data) found it.
  struct NamedEvent {
    std::string_view id;
    const Status& status;  // of FindEventBefore; `event` is meaningful only when ok
    const Event& event;
  };
  // Decodes events first_seq..min(last_seq, head_seq) in order and calls `visit` for each; personal
  // data is joined in only when `with_personal`. Stops at the first error of decoding or of
  // `visit`.
  struct EventRecord {
    const Event& event;
    const Sha256& prev_hash;
    std::string_view stored_bytes;  // what the chain hashes
    // With NamedEvents::kReadAhead, in a long run: the event that `event` names, read on the
    // decoding thread; null when `event` names none, or it was not read ahead.
    const NamedEvent* named = nullptr;
  };
  using EventVisitor = std::function<Status(const EventRecord& record)>;
  // Whether a long run of ForEachEvent looks up, on its decoding thread, the event each event
  // names (EventRecord::named): what a replay would look up on its folding thread, one random
  // read of the id index and one of the log for each reversal (9 % of a replay's samples, perf).
  enum class NamedEvents { kNotRead, kReadAhead };
  // Whether `visit` gets each event's stored bytes (EventRecord::stored_bytes; empty with
  // kSkipped). A long run copies them into its read-ahead for the visitor; a replay, which
  // folds the decoded event only, spares its reading thread that copy (3 % of its samples, perf).
  enum class StoredBytes { kVisited, kSkipped };
  Status ForEachEvent(uint64_t first_seq, uint64_t last_seq, bool with_personal,
                      const EventVisitor& visit, NamedEvents named = NamedEvents::kNotRead,
                      StoredBytes stored = StoredBytes::kVisited) const;
  // The last seq recorded at or before `unix_ms` (0 when none). Recording times rise with seq
  // unless the clock was set back; the search follows seq order.
  Status LastSeqRecordedBy(int64_t unix_ms, uint64_t* seq) const;

  // For verify: visits the raw stored bytes of every key up to head_seq, in key order, without
  // interpreting them, so that gaps, swaps and damage are left for the caller to find.
  using BytesVisitor = std::function<Status(const StoredEventBytes& stored)>;
  Status ForEachStoredBytes(const BytesVisitor& visit) const;
  // For verify: every id index entry (id, seq) with seq within 1..head_seq, in key order; an
  // entry whose value is not 8 bytes is visited with seq 0. (Entries above the head are remains of
  // an unfinished import, as in CountUncommittedEvents.)
  using IndexVisitor = std::function<Status(std::string_view id, uint64_t seq)>;
  Status ForEachIndexEntry(const IndexVisitor& visit) const;
  // For verify: every personal record with seq within 1..head_seq, as (subject, seq, the digest
  // of its salt and text), in key order. A record whose key is malformed is visited with seq 0;
  // one that is malformed or whose salt is missing, with the zero digest (which no event chains).
  using PersonalVisitor =
      std::function<Status(std::string_view subject, uint64_t seq, const Sha256& digest)>;
  Status ForEachPersonalDigest(const PersonalVisitor& visit) const;
  // Number of stored events above the head: the remains of an import that did not finish.
  Status CountUncommittedEvents(uint64_t* count) const;
  // The salt of each subject's latest record, for a pass that digests personal records in log
  // order (PersonalDigestOf). A record that shares the salt of its subject's record before it
  // then needs no walk back to that record, which made a pass quadratic in the records of a
  // subject: 75 % of verify's samples, and minutes at 1M events, when it had to name a bad entry.
  struct SubjectSalts {
    std::unordered_map<std::string, PersonalSalt> latest;
  };
  // The digest of an event's personal record, as its event should chain it: NotFound when the
  // record is missing; Corruption when it is malformed or its salt is missing. Called for events
  // in log order, it reads the salt a record shares from `salts` and notes the record's own.
  Status PersonalDigestOf(const Event& event, SubjectSalts* salts, Sha256* digest) const;

  // Projection state.
  Status GetState(std::string_view key, std::string* value) const;  // NotFound when absent
  using StateVisitor = std::function<Status(std::string_view key, std::string_view value)>;
  Status ForEachState(std::string_view prefix, const StateVisitor& visit) const;
  // A replay rebuilds all projection state in bounded memory: from BeginReplacingState() on,
  // this ledger's GetState() and ForEachState() see only the state written since (none at
  // first); WriteReplacementAhead() writes a part of it into the pending area, which other
  // readers ignore; ReplaceState() commits it all at once, durably, and every reader then sees
  // the new state in place of the old (see the top of this file). Only on a ledger opened for
  // writing without an Appender.
  void BeginReplacingState();
  Status WriteReplacementAhead(StateChanges changes);
  // Replaces the stored state with what was written ahead and `changes` (with only `changes`
  // when nothing was); *state_keys is the number of keys the new state holds. Appends no event.
  Status ReplaceState(StateChanges changes, uint64_t* state_keys);
  // True while pending projection state shadows or replaces the stored state: written ahead by
  // this process, or committed and not yet moved into place (see the top of this file).
  bool state_pending() const { return pending_state_ != PendingState::kNone; }

  // Compacts every column family fully (frees space of deleted remains, measures real size).
  Status Compact();

  // Adds a backup of the ledger to `backup_dir` (created if needed; RocksDB's BackupEngine, which
  // shares unchanged files between backups) and verifies the backup's checksums. Needs a ledger
  // opened for writing, so that no append runs meanwhile. Sets *backup_id.
  Status Backup(const std::string& backup_dir, uint32_t* backup_id);
  // Restores the newest backup in `backup_dir` into `path`, which must not exist yet, after
  // verifying the backup's checksums.
  static Status Restore(const std::string& backup_dir, const std::string& path);

  // The pseudonymous subject under which the personal data of `event` is kept, "" when none.
  std::string SubjectFor(const Event& event) const;
  // The subject of a name's personal data (of a donor, payer or payee who is no member).
  std::string SubjectOfName(std::string_view name) const;

 private:
  friend class Appender;
  Ledger() = default;
  enum class OpenMode { kWrite, kRead, kReadProjections };
  static Status Open(const std::string& path, OpenMode mode, Appends appends, bool create,
                     std::unique_ptr<Ledger>* ledger);
  // The handle of column family `index` (see store.cc); it must have been opened.
  rocksdb::ColumnFamilyHandle* family(size_t index) const {
    assert(index < handles_.size() && handles_[index] != nullptr);
    return handles_[index];
  }
  Status LoadMetadata();
  Status BoundWriteAheadLogs();
  // A ledger opened for few appends opens table files lazily and keeps few of them open, which
  // makes a recording fast however many files there are (Appends::kMany and kNone keep them all
  // open). Before a long run of lookups (a compaction) this keeps every table file open once
  // opened, so that none is read twice.
  Status KeepTableFilesOpen();
  // How this ledger stores personal records (by its format version).
  PersonalFormat personal_format() const {
    return format_version_ >= 2 ? PersonalFormat::kSaltOncePerAppend
                                : PersonalFormat::kSaltInEveryRecord;
  }
  // Lets compactions run in the families whose level 0 has as many files as slow writes down.
  Status CompactWhereLevel0IsFull();
  // Compacts the families (indexes, see store.cc) whose level 0 holds more files than an import
  // or a replay may leave (kLevel0FilesAfterImportMax), and waits for it.
  Status CompactLevel0Of(std::initializer_list<size_t> families);
  Status RemoveUncommittedEvents();
  // Moves committed pending state into place and removes the marker (roll forward); a
  // replacement deletes the stored state first. Sets *moved_count to the keys moved.
  Status MovePendingState(uint64_t* moved_count);
  // Deletes pending state that no commit made visible (roll back); a no-op when there is none.
  Status RemovePendingState();
  Status ForEachStateMerged(std::string_view prefix, const StateVisitor& visit) const;
  Status ForEachPendingState(std::string_view prefix, const StateVisitor& visit) const;
  // After a replay's ReplaceState(): compacts the state family when level 0 holds more files than
  // an import may leave.
  void CompactStateAfterReplay();
  // ReplaceState() when nothing was written ahead, as one ingested table file (ledger/ingest.h).
  Status IngestReplacement(StateChanges changes);
  // ReplaceState() after WriteReplacementAhead().
  Status CommitReplacement(StateChanges changes, uint64_t* state_keys);
  // NotFound, naming the head, unless 1 <= seq <= head_seq.
  Status CheckRecorded(uint64_t seq) const;
  Status ReadEventUnbounded(uint64_t seq, bool with_personal, Event* event) const;
  // FindId and FindEventBefore: the event that the index entry of `id` points to, if it lies
  // before `before_seq` and carries `id` (without its personal data), and its seq.
  Status ReadEventOfId(std::string_view id, uint64_t before_seq, uint64_t* seq, Event* event) const;
  // Decodes events first_seq..last_seq, each into the event `target` returns, and visits it.
  Status DecodeEachEvent(uint64_t first_seq, uint64_t last_seq, bool with_personal,
                         const std::function<Event*()>& target, const EventVisitor& visit) const;
  Status JoinPersonal(Event* event) const;
  Status ReadPersonalRecord(const Event& event, std::string* record) const;
  Status FindEarlierSalt(const Event& event, std::optional<PersonalSalt>* salt) const;
  // Stages `changes` into `batch`: as stored state, or into the pending area when `pending`.
  void StageState(StateChanges changes, bool pending, rocksdb::WriteBatch* batch) const;
  Status WriteSynced(rocksdb::WriteBatch* batch, bool sync);
  // Writes the puts of a chunk staged by an Appender ahead through table files that are
  // ingested, not through the memtables (ledger/ingest.h). Only reads the chunk, which another
  // thread may read meanwhile.
  Status IngestAhead(const Chunk& chunk);
  // Stages the puts of `chunk` into `batch`.
  void StageChunk(const Chunk& chunk, rocksdb::WriteBatch* batch) const;
  // How table files for family `index` are built: as its own, compressed with LZ4.
  IngestFamily IngestFamilyOf(size_t index) const;
  // Where IngestAhead and IngestReplacement stage their table files: a folder of the ledger, absent
  // between writes.
  std::string StagingDir() const { return path_ + "/ingest"; }

  std::string path_;
  std::string name_;
  std::string pepper_;  // secret of this ledger for subject pseudonyms
  uint32_t format_version_ = kFormatVersion;
  uint64_t head_seq_ = 0;
  Sha256 head_hash_{};
  bool writable_ = false;
  // How the pending area of the state family relates to the stored state (the top of this file).
  enum class PendingState { kNone, kShadows, kReplaces };
  PendingState pending_state_ = PendingState::kNone;
  bool replacement_ahead_ = false;  // WriteReplacementAhead() was called
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // default, events, ids, personal, state
  // What IngestAhead needs to build table files like the families' own; made by its first call.
  std::vector<IngestFamily> ingest_families_;
};

// Appends events as one atomic unit: nothing is visible until Commit() returns ok, and an
// Appender destroyed without a successful Commit() removes what it wrote ahead.
class Appender {
 public:
  Appender(Ledger* ledger, std::string recorded_by, int64_t recorded_at_unix_ms);
  ~Appender();
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  // What PrefetchId found out ahead of FindId.
  struct IdPrefetch {
    bool new_id = false;          // in neither the ledger nor an event prefetched before
    bool absent = false;          // the id index had no entry for the id
    uint64_t ingested_below = 0;  // when every appended event below this seq was in the index
  };
  // Looks the id up ahead, for a later FindId of the same id. The one call that another thread
  // may make while this Appender is used: a reader of the events to append looks their ids up
  // ahead, while this thread checks and appends the events before them. Once it is called, the
  // id of every event appended must have been prefetched, in the order they are appended: the
  // filter of the prefetched ids (prefetched_ids_) tells a new id without a search.
  IdPrefetch PrefetchId(std::string_view id);
  // Looks up `id` among recorded and already appended events. On a hit `*event` is that event.
  // With `prefetch` (of the same id), spares the lookup in the id index when the prefetch still
  // holds: when every event it did not see is in memory.
  Status FindId(std::string_view id, const IdPrefetch* prefetch, uint64_t* seq, Event* event) const;
  Status FindId(std::string_view id, uint64_t* seq, Event* event) const {
    return FindId(id, nullptr, seq, event);
  }
  // Gives `event` the next seq, recorded_at/by, subject and digest, and stages it. The caller has
  // checked the ledger's rules. May write ahead (invisibly) when the staged chunk is full.
  // `*event` keeps its memory for the caller to reuse; its fields are set as stored.
  Status Append(Event* event);
  // Writes projection state ahead, invisibly to readers, so that the caller can forget it and
  // keep its memory bounded; the ledger's GetState() and ForEachState() see it at once (they are
  // this append's view), readers only after Commit().
  Status WriteStateAhead(StateChanges state);
  uint64_t appended_count() const { return next_seq_ - first_seq_; }
  // Writes the rest, `state` and the new head in one synced batch. Afterwards the events are
  // durable and visible, with the state written ahead; on error nothing is.
  Status Commit(StateChanges state);

 private:
  Status FlushChunk();
  void Abort();

  Ledger* ledger_;
  std::string recorded_by_;
  int64_t recorded_at_unix_ms_;
  uint64_t first_seq_;
  uint64_t next_seq_;
  Sha256 prev_hash_;
  Status WaitForWriteAhead();
  // Decodes event `position` of `chunk` with its personal data.
  Status DecodeStaged(const Chunk& chunk, size_t position, Event* event) const;
  // The record of `event`'s personal data, whose digest it sets; draws a salt, or in format 2
  // reuses the one drawn for its subject earlier in this append.
  std::string PersonalRecordOf(Event* event);
  // Sets event->subject (Ledger::SubjectFor).
  void SetSubject(Event* event);

  // The stored bytes of the event Append encodes, kept for their memory (EncodeEventInto).
  std::string bytes_;
  Chunk staging_;  // filling
  Chunk writing_;  // being written ahead on another thread while the next chunk fills
  std::future<Status> write_ahead_;
  // Every appended event below this seq is in the id index: set by the write ahead (PrefetchId).
  std::atomic<uint64_t> ingested_below_;
  // Of the thread that calls PrefetchId: the ids it was given and, once the append has proved
  // large (FilterIdsOfLedger), the ledger's ids before the append. Until then a new id is looked
  // up in the id index.
  IdFilter prefetched_ids_;
  uint64_t prefetched_count_ = 0;
  enum class PrefetchFilter { kCollecting, kComplete, kUnused };
  PrefetchFilter prefetch_filter_ = PrefetchFilter::kCollecting;
  void FilterIdsOfLedger();
  bool wrote_ahead_ = false;
  bool wrote_state_ahead_ = false;
  bool committed_ = false;
  // Format 2: the salt drawn for each subject in this append, so that its later records need
  // none. Bounded: when full it is emptied, and a subject's next record draws a new salt.
  struct SubjectSalt {
    PersonalSalt salt;
    std::string last_text;  // of the subject's last record, and its digest under `salt`
    Sha256 last_digest;
  };
  std::unordered_map<std::string, SubjectSalt> salt_of_subject_;
  // Lets subject_of_name_ be searched with a std::string_view.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const noexcept {
      return std::hash<std::string_view>()(name);
    }
  };
  // The subject of each name seen (Ledger::SubjectOfName), bounded by kSubjectsHeldMax.
  std::unordered_map<std::string, std::string, NameHash, std::equal_to<>> subject_of_name_;
};

// The stored 8-byte big-endian form of a sequence number, which sorts like the number.
std::string SeqKey(uint64_t seq);
uint64_t SeqFromKey(std::string_view key);

}  // namespace kasse
