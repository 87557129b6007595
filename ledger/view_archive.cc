// The explicit instantiations that a Boost.Serialization archive of one's own needs (Boost's
// "derived archive" recipe): the serializer map. basic_binary_iarchive is not instantiated as a
// whole: its init() reads a header through a stream, which this archive never has.
#include "ledger/view_archive.h"

#include <boost/archive/impl/archive_serializer_map.ipp>

namespace boost::archive {
namespace detail {
template class archive_serializer_map<kasse::ViewIArchive>;
}  // namespace detail
}  // namespace boost::archive
