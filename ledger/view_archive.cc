// The explicit instantiations that a Boost.Serialization archive of one's own needs (Boost's
// "derived archive" recipe): the serializer maps. basic_binary_iarchive and basic_binary_oarchive
// are not instantiated as a whole: their init() handles a header, which these archives never have.
#include "ledger/view_archive.h"

#include <boost/archive/impl/archive_serializer_map.ipp>

namespace boost::archive {
namespace detail {
template class archive_serializer_map<kasse::ViewIArchive>;
template class archive_serializer_map<kasse::StringOArchive>;
}  // namespace detail
}  // namespace boost::archive
