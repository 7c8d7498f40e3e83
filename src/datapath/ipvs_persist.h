// Persistence (IPVS's ip_vs_sched_persist): a connection template per client (its address under the
// service's netmask, port 0) remembers the real server its first connection got; later connections
// of the client within the timeout go to the same server. A template lives while connections made
// through it do, and for the timeout after the last one was made (IPVS keeps it while n_control > 0).
// Every connection of a client to a persistent service lives on one worker (steer_to_owner.h), so
// the template is where its connections are.
#pragma once

#include "datapath/worker.h"
#include "dplb/ipvs/conn.h"
#include "dplb/stats/drop_reason.h"

namespace dplb::dp {

// Conn::flags bits of the data plane's byte (see ipvs_dr_xmit.h for 0x0300).
inline constexpr uint16_t kConnFlagTemplate = 0x0400;    // a template, not a connection
inline constexpr uint16_t kConnFlagPersistent = 0x0800;  // a connection made through a template

struct PersistChoice {
  int32_t dest = -1;                // the real server, or -1 (dropped: `why`)
  ipvs::Conn* templ = nullptr;      // to adopt the new connection (persist_adopt)
  DropReason why = DropReason::ipvs_no_dest;
};

// The real server of a new connection of persistent service `svc`: the template's while its real
// server is still configured, else the scheduler's, with a new template.
PersistChoice persist_schedule(Worker& w, uint32_t svc, const ipvs::FlowKey& key);
// The connection made through `templ` exists: the template counts it and its timeout starts again.
void persist_adopt(Worker& w, ipvs::Conn& templ);
// A connection made through a template is going away: its template counts one less.
void persist_child_gone(Worker& w, const ipvs::Conn& c);
// A template's expiry: kept (timeout restarted) while connections made through it remain and its
// real server is configured, else removed.
ipvs::ExpireAction persist_template_expired(Worker& w, ipvs::Conn& templ);

}  // namespace dplb::dp
