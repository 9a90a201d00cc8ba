# agents-linuxbridge.sh - the neutron Linux bridge/DHCP/L3 agents (DRIVER=linuxbridge), with the ebtables-nft fix.
# shellcheck shell=bash
lxb_veths() {   # one node: underlay (VXLAN local_ip) and external (flat) veth pairs, created once
  ip link show lxb-ul0 >/dev/null 2>&1 || ip link add lxb-ul0 type veth peer name lxb-ul1
  ip addr show dev lxb-ul0 | grep -q "inet $LOCAL_IP/" || ip addr add "$LOCAL_IP/24" dev lxb-ul0
  ip addr show dev lxb-ul1 | grep -q "inet 192.168.223.2/" || ip addr add 192.168.223.2/24 dev lxb-ul1
  ip link show "$EXT_IF" >/dev/null 2>&1 || ip link add "$EXT_IF" type veth peer name lxb-ext1
  for d in lxb-ul0 lxb-ul1 "$EXT_IF" lxb-ext1; do ip link set "$d" up; done
}
lxb_agent_ini() {   # HOST LOCAL_IP EXT_IF: the Linux bridge agent's file, for compute1 and compute2 alike
  cat <<EOF
[DEFAULT]
host = $1
[linux_bridge]
physical_interface_mappings = external:$3
[vxlan]
enable_vxlan = true
local_ip = $2
l2_population = true
[securitygroup]
firewall_driver = iptables
enable_security_group = true
EOF
}
write_lxb_agent_fix() {   # see the docstring: ebtables-nft cannot delete an --among-src rule
  cat > /usr/local/bin/neutron-linuxbridge-agent-nftfix <<'PYEOF'
#!/usr/bin/python3
"""neutron-linuxbridge-agent with one fix for ebtables-nft (Debian 12): deleting an '--among-src' rule fails
(RULE_DELETE failed (Invalid argument)), so every port update and every resync loops forever. Flush the
vif's MAC chain instead and put its default DROP back (what the rule delete + re-add amounts to)."""
import sys
import neutron.cmd.eventlet  # noqa: eventlet monkey patching first, as the console script does
from neutron.plugins.ml2.drivers.linuxbridge.agent import arp_protect as ap


def _delete_vif_mac_rules(vif, current_rules):
    if any(('-i %s' % vif) in r and '--among-src' in r for r in current_rules):
        chain = ap._mac_chain_name(vif)
        ap.ebtables(['-F', chain])
        ap.ebtables(['-A', chain, '-j', 'DROP'])


ap._delete_vif_mac_rules = _delete_vif_mac_rules
from neutron.cmd.eventlet.plugins.linuxbridge_neutron_agent import main  # noqa: E402
sys.exit(main())
PYEOF
  chmod +x /usr/local/bin/neutron-linuxbridge-agent-nftfix
}
start_lxb_and_agents() {
  log "Linux bridge agent + DHCP/L3 agents (no Open vSwitch)"
  if [ "$NODES" = 1 ]; then lxb_veths; fi    # two nodes: compute2.sh net made c1-tun ($LOCAL_IP) and c1-ext
  keep_dist /etc/neutron/plugins/ml2/linuxbridge_agent.ini /etc/neutron/dhcp_agent.ini /etc/neutron/l3_agent.ini
  lxb_agent_ini "$HOST" "$LOCAL_IP" "$EXT_IF" > /etc/neutron/plugins/ml2/linuxbridge_agent.ini
  for a in dhcp l3; do
    cat > /etc/neutron/${a}_agent.ini <<EOF
[DEFAULT]
host = $HOST
interface_driver = linuxbridge
EOF
  done
  chown root:neutron /etc/neutron/plugins/ml2/linuxbridge_agent.ini /etc/neutron/dhcp_agent.ini /etc/neutron/l3_agent.ini
  write_lxb_agent_fix
  start_daemon neutron-linuxbridge-agent neutron /usr/local/bin/neutron-linuxbridge-agent-nftfix --config-file /etc/neutron/neutron.conf \
    --config-file /etc/neutron/plugins/ml2/linuxbridge_agent.ini --log-file /var/log/neutron/neutron-linuxbridge-agent.log
  start_daemon neutron-dhcp-agent neutron /usr/bin/neutron-dhcp-agent --config-file /etc/neutron/neutron.conf \
    --config-file /etc/neutron/dhcp_agent.ini --log-file /var/log/neutron/neutron-dhcp-agent.log
  start_daemon neutron-l3-agent neutron /usr/bin/neutron-l3-agent --config-file /etc/neutron/neutron.conf \
    --config-file /etc/neutron/l3_agent.ini --log-file /var/log/neutron/neutron-l3-agent.log
  for _ in $(seq 1 60); do
    [ "$(openstack network agent list -f value -c Alive 2>/dev/null | grep -c True)" -ge 3 ] && break; sleep 2; done
  openstack network agent list -f value -c 'Agent Type' -c Host -c Alive
}

