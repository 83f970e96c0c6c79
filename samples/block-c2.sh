#!/usr/bin/env bash
# Contain the C2 traffic seen from fin-ws-017 (10.248.240.38) on the Linux egress gateway.
# Tested with iptables v1.8.9 (nf_tables) and iproute2-6.1.0 on kernel 6.1.0-28-amd64.
set -euo pipefail

C2_IP="198.51.100.23"
C2_PORTS="443,8443"
INTERNAL_HOST="10.248.240.38"
EXFIL_IP=192.0.2.147
V6_DEST="2001:db8:85a3::8a2e:370:7334"
SINCE="2026-11-16 00:00:00"

log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

log "blocking ${C2_IP} ports ${C2_PORTS} and ${EXFIL_IP}"
iptables -I FORWARD -s "${INTERNAL_HOST}" -d 198.51.100.23 -p tcp -m multiport --dports "${C2_PORTS}" -j LOG --log-prefix "IR-C2 "
iptables -I FORWARD -d 198.51.100.0/24 -j DROP
iptables -I FORWARD -d "${EXFIL_IP}" -j REJECT
ip6tables -I FORWARD -d "${V6_DEST}/128" -j DROP
ip -6 route add blackhole 2001:db8:85a3::/48

# Who is still talking to it? (ss shows IPv4-mapped peers as [::ffff:198.51.100.23]:8443)
ss -tnp state established dst 198.51.100.23 || true
ss -tnp state established dst '[::ffff:198.51.100.23]' || true

# Pull the last beacons from the proxy, with the time window of the lease.
journalctl -u squid --since "${SINCE}" --until "2026-11-25 12:00:00" --no-pager |
  grep -E '198\.51\.100\.23|10\.248\.240\.38' > /var/tmp/ir-beacons.txt || true

# Health check of the internal mirror over IPv6 and link-local (zone id required).
curl -fsS --max-time 5 "http://[2001:db8:85a3::8a2e:370:7334]:8443/health" || log "v6 mirror unreachable"
ping -6 -c 1 fe80::3e52:82ff:fe0a:1b2c%ens192 || true

# Not addresses: versions, times and hashes.
PKG="ir-tools_2.1.1.108_amd64.deb"
echo "agent v10.8760.26100.1000 at 03:14:07, sha1 43:51:43:a1:b5:fc:8b:b7:0a:3a:a9:b1:0f:66:73:a8"
log "done; review /var/tmp/ir-beacons.txt (${PKG})"
