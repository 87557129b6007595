// ViewIArchive and StringOArchive: the two archives that kasse's serialize() functions
// (ledger/codec.cc) read and write stored events with, in the bytes of Boost.Serialization's
// binary_iarchive and binary_oarchive (no_header, no_codecvt) of this build's x86-64 layout.
//
// Why not Boost's archive classes: binary_iarchive and binary_oarchive build a std::locale per
// archive, and with one archive per stored event that was a fifth of `kasse replay` (perf,
// docs/PERFORMANCE.md); archives derived from Boost's basic_binary_iarchive and
// basic_binary_oarchive still set up Boost's per-archive class registry (a heap-allocated
// implementation with a set of the classes seen and a vector per object) and looked every class up
// in it, about half of decoding an event. An event's payload holds exactly two objects of two
// different classes (its StoredHeader and its body, codec.h), no pointers and nothing tracked, so
// what Boost writes for them is short and fixed: for each object, the first of its class in the
// archive, a class preamble (a tracking byte and the class version as a uint32), then its fields
// as serialize() lists them (fundamental types as their bytes in memory, a std::string as its
// std::size_t length and its bytes). These archives write and read exactly that.
//
// They are held to Boost's: tests/unit/codec_test.cc compares the bytes StringOArchive writes with
// binary_oarchive's for every event type, and decodes the golden fixture and every one-byte change
// of it with both input archives (the same result or the same failure); the fuzzer
// fuzz_decode_event does the same for arbitrary bytes.
#pragma once

#include <boost/archive/archive_exception.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace kasse {

// What the archives and the serialize() functions (ledger/codec.cc) throw for stored bytes they
// refuse. Boost's archive_exception drops the text of an other_exception and says "unknown
// derived exception", which was all that `kasse verify` reported of such a field.
class StoredFieldError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ViewIArchive {
 public:
  using is_loading = std::true_type;
  using is_saving = std::false_type;

  // Reads `bytes`, which must outlive the archive.
  explicit ViewIArchive(std::string_view bytes) : bytes_(bytes) {}

  // Copies the next `count` bytes to `address`; throws archive_exception(input_stream_error)
  // when fewer are left, as binary_iarchive does.
  void load_binary(void* address, std::size_t count) {
    if (count > bytes_.size() - position_) {
      throw boost::archive::archive_exception(
          boost::archive::archive_exception::input_stream_error);
    }
    if (count > 0) std::memcpy(address, bytes_.data() + position_, count);
    position_ += count;
  }

  template <class T>
  requires std::is_arithmetic_v<T> ViewIArchive& operator&(T& value) {
    load_binary(&value, sizeof(value));
    return *this;
  }

  // The preamble of the next object, the first of its class in the archive: returns its class
  // version. The tracking byte must be 0: kasse never writes a tracked object
  // (BOOST_CLASS_TRACKING track_never). Boost would read an object id after a non-zero byte and go
  // on; a damaged byte that says "tracked" is refused here instead (the fuzzer fuzz_decode_event
  // leaves such inputs out of its comparison with Boost; every one-byte change of the golden
  // fixture's tracking bytes fails with Boost too, codec_test).
  unsigned int LoadClassPreamble() {
    int8_t tracking = 0;
    uint32_t version = 0;
    load_binary(&tracking, sizeof(tracking));
    load_binary(&version, sizeof(version));
    if (tracking != 0) {
      throw StoredFieldError("a stored object is marked as tracked");
    }
    return version;
  }

  // True when every byte has been read.
  bool at_end() const { return position_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t position_ = 0;
};

class StringOArchive {
 public:
  using is_loading = std::false_type;
  using is_saving = std::true_type;

  // Appends to `*out`, which must outlive the archive.
  explicit StringOArchive(std::string* out) : out_(out) {}

  void save_binary(const void* address, std::size_t count) {
    out_->append(static_cast<const char*>(address), count);
  }

  template <class T>
  requires std::is_arithmetic_v<T> StringOArchive& operator&(const T& value) {
    save_binary(&value, sizeof(value));
    return *this;
  }
  StringOArchive& operator&(const std::string& value) {
    const std::size_t size = value.size();
    save_binary(&size, sizeof(size));
    save_binary(value.data(), size);
    return *this;
  }

  // The preamble of an object of a class not written before in the archive, untracked, of
  // class version `version`.
  void SaveClassPreamble(uint32_t version) {
    const int8_t tracking = 0;
    save_binary(&tracking, sizeof(tracking));
    save_binary(&version, sizeof(version));
  }

 private:
  std::string* out_;
};

}  // namespace kasse
