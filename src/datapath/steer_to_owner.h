// Connections are owned by one worker, chosen from the client's address and port; a packet that lands
// on another worker is handed to the owner over a single-producer single-consumer ring.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "datapath/worker.h"
#include "dplb/ipvs/conn.h"

namespace dplb::dp {

// True (m consumed) when the connection of client:client_port belongs to another worker and m was
// handed to it; the owner is a pure function of the client side, the same for both directions.
bool steer_to_owner_slow(Worker& w, Ip4 client, uint16_t client_port, rte_mbuf* m);
inline bool steer_to_owner(Worker& w, Ip4 client, uint16_t client_port, bool redirected, rte_mbuf* m) {
  if (w.setup.n_workers <= 1 || redirected) return false;
  return steer_to_owner_slow(w, client, client_port, m);
}
// The same for a packet to a virtual service (key: client -> VIP) and a real server's reply (key:
// server -> client). The owner is named by the client's address and port, or, for a persistent
// service, by the client's address under its netmask alone: every connection of that client (and
// its template, ipvs_persist.h) then lives on one worker.
inline bool steer_client(Worker& w, bool persistent, uint32_t mask, Ip4 client, uint16_t client_port, rte_mbuf* m) {
  return persistent ? steer_to_owner_slow(w, Ip4(client.v & mask), 0, m)
                    : steer_to_owner_slow(w, client, client_port, m);
}
inline bool steer_in(Worker& w, const ipvs::FlowKey& k, bool redirected, rte_mbuf* m) {
  if (w.setup.n_workers <= 1 || redirected) return false;
  uint32_t mask = 0;
  bool persistent = w.tables.services.persist_mask_in(k.proto, k.daddr, k.dport, mask);
  return steer_client(w, persistent, mask, k.saddr, k.sport, m);
}
inline bool steer_out(Worker& w, const ipvs::FlowKey& k, bool redirected, rte_mbuf* m) {
  if (w.setup.n_workers <= 1 || redirected) return false;
  uint32_t mask = 0;
  bool persistent = w.tables.services.persist_mask_out(k.proto, k.saddr, k.sport, mask);
  return steer_client(w, persistent, mask, k.daddr, k.dport, m);
}
// Hands m to worker `owner`: counted as redirected on m's arrival port, or dropped as redirect_full
// when the owner's ring is full.
void redirect_to_owner(Worker& w, rte_mbuf* m, uint32_t owner);

}  // namespace dplb::dp
