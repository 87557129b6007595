// ViewIArchive: a Boost.Serialization input archive that reads the bytes of
// boost::archive::binary_iarchive (written with no_header | no_codecvt) straight from a
// std::string_view.
//
// Why: binary_iarchive builds a std::locale with a codecvt facet in its constructor, even with
// no_codecvt, and destroys it again; with one archive per stored event that was a fifth of the
// CPU time of `kasse replay` (perf, docs/PERFORMANCE.md). This archive is Boost's own
// basic_binary_iarchive (the same class-version, tracking and class-id handling as
// binary_iarchive) on a primitive layer without a stream: the stored format does not change, and
// tests/unit/codec_test.cc decodes every golden fixture with both archives.
#pragma once

#include <boost/archive/archive_exception.hpp>
#include <boost/archive/basic_binary_iarchive.hpp>
#include <boost/archive/detail/register_archive.hpp>
#include <boost/serialization/item_version_type.hpp>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace kasse {

class ViewIArchive : public boost::archive::basic_binary_iarchive<ViewIArchive> {
 public:
  // Reads `bytes`, which must outlive the archive. Boost's no_header: the payload has none.
  explicit ViewIArchive(std::string_view bytes)
      : boost::archive::basic_binary_iarchive<ViewIArchive>(boost::archive::no_header),
        bytes_(bytes) {}

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

  // True when every byte has been read.
  bool at_end() const { return position_ == bytes_.size(); }

 private:
  friend class boost::archive::detail::interface_iarchive<ViewIArchive>;
  friend class boost::archive::basic_binary_iarchive<ViewIArchive>;
  friend class boost::archive::load_access;

  template <class T>
  void load_override(T& t) {
    this->boost::archive::basic_binary_iarchive<ViewIArchive>::load_override(t);
  }
  // As basic_binary_iarchive.ipp reads a class name, which only a polymorphic pointer writes
  // (kasse stores none); defined here because instantiating that .ipp needs a stream.
  void load_override(boost::archive::class_name_type& t) {
    std::string name;
    load(name);
    if (name.size() > BOOST_SERIALIZATION_MAX_KEY_SIZE - 1) {
      throw boost::archive::archive_exception(
          boost::archive::archive_exception::invalid_class_name);
    }
    std::memcpy(t, name.data(), name.size());
    t.t[name.size()] = '\0';
  }

  // The primitives, as basic_binary_iprimitive reads them: fundamental types as their bytes in
  // memory (this build's format is x86-64 little-endian, see schemas/STORAGE.md), a string as its
  // std::size_t length and then its bytes.
  template <class T>
  void load(T& t) {
    load_binary(&t, sizeof(T));
  }
  void load(std::string& s) {
    std::size_t size = 0;
    load(size);
    if (size > bytes_.size() - position_) {
      throw boost::archive::archive_exception(
          boost::archive::archive_exception::input_stream_error);
    }
    s.assign(bytes_.data() + position_, size);
    position_ += size;
  }

  std::string_view bytes_;
  std::size_t position_ = 0;
};

}  // namespace kasse

BOOST_SERIALIZATION_REGISTER_ARCHIVE(kasse::ViewIArchive)
