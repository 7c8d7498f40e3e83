// The packet stages of the data path, in path order. Each stage is one name and one file pair
// (<name>.h declares it, <name>.cc defines it, or the .h holds it inline when it is inlined on the
// hot path). Each stage consumes the mbuf: it passes it on, queues it for TX, or drops it with a
// named reason (Worker::drop). Stage headers include only the stages they call; this header, at
// the top, includes them all (for the poll loop and the tests). docs/design.md draws the path.
//
// A receive burst moves through the first stages together (rx_burst.h): eth_input checks every
// frame and IPv4 header (ipv4_validate), ipv4_classify routes the burst and sorts it into classes,
// and each run of one class goes on as a sub-vector:
//
//   eth_input -- ipv4_classify -+- nat:     ipvs_in_out (ipvs_nat_vector) -----> ipvs_xmit
//                               +- forward: ipv4_forward (ipv4_forward_vector)
//                               +- slow:    one packet at a time, as below
//
// One packet at a time (the slow class; packets from another worker's ring or from the kernel):
//
//   arp_input --------------------------------------------------------------------> tx
//   ipv4_input -+- local_in -+- icmp_input -+-------------------------------------> tx (echo reply)
//               |            |              +- ipvs_icmp -------------------------> ipvs_xmit
//               |            +- ipvs_in_out (ipvs_in) ----------------------------> ipvs_xmit
//               |            +- (local_unclaimed) --------------------------------> kni_path
//               +- kni_path (the kernel's routes) --------------------------------> kernel tap
//               +- ipvs_in_out (ipvs_out), ipvs_icmp -----------------------------> ipvs_xmit
//               +- ipv4_forward
//
//   ipv4_forward -+- route_output ------------+- neigh_output -----------------> tx
//   ipvs_xmit ----+  (or conn_route's cache)  +- send_fragments -> neigh_output
//   icmp_error ------ route_output ------------- neigh_output
//   (icmp_error: the errors ipv4_forward and ipvs_xmit send about a packet they cannot deliver)
//
// Names in parentheses are functions of the stage file before them; tx is Worker::tx.
// The IPVS stages first hand a packet whose connection another worker owns to that worker
// (steer_to_owner). Shared by several stages, and including none: worker.h (drop, tx, alloc),
// our_addresses.h (spoofed sources) and rx_burst.h (the burst and its sub-vectors).
#pragma once

#include "datapath/eth_input.h"
#include "datapath/ipv4_classify.h"
#include "datapath/arp_input.h"
#include "datapath/ipv4_input.h"
#include "datapath/local_in.h"
#include "datapath/icmp_input.h"
#include "datapath/ipvs_in_out.h"
#include "datapath/ipvs_icmp.h"
#include "datapath/steer_to_owner.h"
#include "datapath/ipv4_forward.h"
#include "datapath/ipvs_xmit.h"
#include "datapath/route_output.h"
#include "datapath/send_fragments.h"
#include "datapath/neigh_output.h"
#include "datapath/icmp_error.h"
#include "datapath/kni_path.h"
