/**
 * Words nft reads as keywords: a table, chain or set of such a name makes every script fail, and
 * nft 1.0.6 takes no quoted names there. Taken from nftables' src/scanner.l: the 153 of its words
 * that the real nft 1.0.6 refuses as a table, chain or set name in our script (each tried with
 * `nft -c` in a network namespace; test/firewall/names-nft.test.ts tries them again), plus the
 * ones later releases made keywords everywhere (destroy, last, gre, gretap, geneve, tunnel, vni,
 * vxlan), so that a name accepted today keeps working after an nft upgrade.
 */
export const NFT_KEYWORDS: ReadonlySet<string> = new Set(
  `
  accept add ah all and arp bridge cgroup chain comment comp constant continue counter cpu create
  ct day dccp define delete describe destroy device devices dnat drop dst dup dynamic ecn element
  elements eq esp ether exists expires export exthdr fib flags flow flowtable flush frag fwd ge
  geneve get goto gre gretap gt handle hbh hook hour ibriport ibrname icmp icmpv6 igmp iif
  iifgroup iifname iiftype import include index inet insert interval ip ip6 ipsec jhash jump last
  le limit list ll log lshift lt map mark masquerade meta meter mh missing monitor ne netdev
  nftrace nh not notrack numgen obriport obrname offload oif oifgroup oifname oiftype or osf
  pkttype policy position priority queue quota random redefine redirect reject rename replace
  reset return rshift rt rt0 rt2 rtclassid rule ruleset sctp secmark set size skgid skuid snat
  socket srh symhash synproxy table tcp th time timeout tproxy tunnel type typeof udp udplite
  undefine update vlan vmap vni vxlan xor xt
`
    .trim()
    .split(/\s+/),
);
