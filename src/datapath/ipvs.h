// IPVS NAT in the data plane (Linux ip_vs_in / ip_vs_out / ip_vs_nat_xmit): packets to a virtual
// service are scheduled or matched to their connection, DNATed to the real server and routed;
// replies are matched by their own tuple, SNATed back to the VIP and routed to the client.
#pragma once

#include <rte_mbuf.h>

#include "datapath/conn_hash_hint.h"
#include "datapath/worker.h"
#include "dplb/net/headers.h"

namespace dplb::dp {

// A TCP/UDP packet to one of our addresses. True when IPVS took it (forwarded, queued, redirected
// or dropped); false when it is not for a virtual service (the caller goes on). `hint`: m's
// connection hash when eth_input computed it.
bool ipvs_in(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected, ConnHashHint hint);
// A packet not addressed to us: a real server's reply? Same contract.
bool ipvs_out(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected, ConnHashHint hint);
// ICMP errors about connections: to the client (arriving for forwarding) or to the real server
// (arriving for a VIP). Same contract.
bool ipvs_icmp_to_client(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected);
bool ipvs_icmp_to_server(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected);

// True (m consumed) when the connection of client:client_port belongs to another worker and m was
// handed to it; the owner is a pure function of the client side, the same for both directions.
bool steer_to_owner_slow(Worker& w, Ip4 client, uint16_t client_port, rte_mbuf* m);
inline bool steer_to_owner(Worker& w, Ip4 client, uint16_t client_port, bool redirected, rte_mbuf* m) {
  if (w.setup.n_workers <= 1 || redirected) return false;
  return steer_to_owner_slow(w, client, client_port, m);
}
// Hands m to worker `owner` (counted drop when its ring is full).
void redirect_to_owner(Worker& w, rte_mbuf* m, uint32_t owner);

}  // namespace dplb::dp
