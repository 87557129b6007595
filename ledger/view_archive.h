// ViewIArchive and StringOArchive: Boost.Serialization archives that read and write the bytes of
// boost::archive::binary_iarchive / binary_oarchive (with no_header | no_codecvt) straight from a
// std::string_view and into a std::string.
//
// Why: binary_iarchive and binary_oarchive build a std::locale with a codecvt facet in their
// constructors, even with no_codecvt, and destroy it again; with one archive per stored event
// that was a fifth of the CPU time of `kasse replay` and 4 % of an import's (perf,
// docs/PERFORMANCE.md). These archives are Boost's own basic_binary_iarchive and
// basic_binary_oarchive (the same class-version, tracking and class-id handling) on a primitive
// layer without a stream: the stored format does not change. tests/unit/codec_test.cc decodes
// every golden fixture with both input archives, and the golden fixture holds the encoder to the
// bytes binary_oarchive wrote.
#pragma once

#include <boost/archive/archive_exception.hpp>
#include <boost/archive/basic_binary_iarchive.hpp>
#include <boost/archive/basic_binary_oarchive.hpp>
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

class StringOArchive : public boost::archive::basic_binary_oarchive<StringOArchive> {
 public:
  // Appends to `*out`, which must outlive the archive. Boost's no_header: writes none.
  explicit StringOArchive(std::string* out)
      : boost::archive::basic_binary_oarchive<StringOArchive>(boost::archive::no_header),
        out_(out) {}

  void save_binary(const void* address, std::size_t count) {
    out_->append(static_cast<const char*>(address), count);
  }

 private:
  friend class boost::archive::detail::interface_oarchive<StringOArchive>;
  friend class boost::archive::basic_binary_oarchive<StringOArchive>;
  friend class boost::archive::save_access;

  template <class T>
  void save_override(const T& t) {
    this->boost::archive::basic_binary_oarchive<StringOArchive>::save_override(t);
  }

  // The primitives, as basic_binary_oprimitive writes them (see ViewIArchive::load).
  template <class T>
  void save(const T& t) {
    save_binary(&t, sizeof(T));
  }
  void save(const std::string& s) {
    const std::size_t size = s.size();
    save(size);
    save_binary(s.data(), size);
  }

  std::string* out_;
};

}  // namespace kasse

BOOST_SERIALIZATION_REGISTER_ARCHIVE(kasse::ViewIArchive)
BOOST_SERIALIZATION_REGISTER_ARCHIVE(kasse::StringOArchive)
