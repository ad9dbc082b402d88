#pragma once

/// Every atom (CAF 0.17: at most 10 characters of text).

#include <caf/atom.hpp>

namespace logbase {

using account_atom = caf::atom_constant<caf::atom("account")>;
using ack_atom = caf::atom_constant<caf::atom("ack")>;
using assign_atom = caf::atom_constant<caf::atom("assign")>;
using await_atom = caf::atom_constant<caf::atom("await")>;
using commit_atom = caf::atom_constant<caf::atom("commit")>;
using create_atom = caf::atom_constant<caf::atom("create")>;
using delivered_atom = caf::atom_constant<caf::atom("delivered")>;
using delete_atom = caf::atom_constant<caf::atom("delete")>;
using ends_atom = caf::atom_constant<caf::atom("ends")>;
using end_atom = caf::atom_constant<caf::atom("end")>;
using error_atom = caf::atom_constant<caf::atom("error")>;
using get_atom = caf::atom_constant<caf::atom("get")>;
using hello_atom = caf::atom_constant<caf::atom("hello")>;
using join_atom = caf::atom_constant<caf::atom("join")>;
using leave_atom = caf::atom_constant<caf::atom("leave")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using ok_atom = caf::atom_constant<caf::atom("ok")>;
using own_atom = caf::atom_constant<caf::atom("own")>;
using patch_atom = caf::atom_constant<caf::atom("patch")>;
using peer_atom = caf::atom_constant<caf::atom("peer")>;
using produce_atom = caf::atom_constant<caf::atom("produce")>;
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using put_atom = caf::atom_constant<caf::atom("put")>;
using query_atom = caf::atom_constant<caf::atom("query")>;
using revoke_atom = caf::atom_constant<caf::atom("revoke")>;
using route_atom = caf::atom_constant<caf::atom("route")>;
using ready_atom = caf::atom_constant<caf::atom("ready")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using reserve_atom = caf::atom_constant<caf::atom("reserve")>;
using records_atom = caf::atom_constant<caf::atom("records")>;
using standby_atom = caf::atom_constant<caf::atom("standby")>;
using stream_atom = caf::atom_constant<caf::atom("stream")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using watermark_atom = caf::atom_constant<caf::atom("watermark")>;

} // namespace logbase
