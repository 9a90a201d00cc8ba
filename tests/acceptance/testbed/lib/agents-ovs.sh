# agents-ovs.sh - Open vSwitch (userspace datapath) and the neutron OVS/DHCP/L3 agents (DRIVER=ovs).
# shellcheck shell=bash
ovs_agent_ini() {   # HOST LOCAL_IP: the OVS agent's file, for compute1 and compute2 alike
  cat <<EOF
[DEFAULT]
host = $1
[agent]
tunnel_types = vxlan
l2_population = ${L2_POPULATION:-false}
[ovs]
integration_bridge = br-int
tunnel_bridge = br-tun
datapath_type = netdev
local_ip = $2
bridge_mappings = physnet1:br-phys,external:br-ex
of_interface = native
ovsdb_connection = tcp:127.0.0.1:6640
[securitygroup]
# iptables_hybrid -> nova/os-vif builds qbr-XXX linux bridge + qvb/qvo veth (what 'brctl show' sees);
# 'openvswitch' (native OVS firewall) would plug the tap straight into br-int instead
firewall_driver = iptables_hybrid
enable_security_group = true
EOF
}
start_ovs_and_agents() {
  log "Open vSwitch (userspace datapath) + neutron OVS/DHCP/L3 agents"
  mkdir -p /var/run/openvswitch /var/log/openvswitch /etc/openvswitch
  [ -f /etc/openvswitch/conf.db ] || ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema
  if ! ovs-vsctl --timeout=2 show >/dev/null 2>&1; then
    ovsdb-server /etc/openvswitch/conf.db --remote=punix:/var/run/openvswitch/db.sock --remote=ptcp:6640:127.0.0.1 \
      --remote=db:Open_vSwitch,Open_vSwitch,manager_options --pidfile=/var/run/openvswitch/ovsdb-server.pid \
      --detach --log-file=/var/log/openvswitch/ovsdb-server.log
    ovs-vsctl --no-wait init
    ovs-vsctl --no-wait set Open_vSwitch . external_ids:system-id=$HOST external_ids:hostname=$HOST
    # no openvswitch kernel module here -> every bridge must be datapath_type=netdev
    ovs-vswitchd unix:/var/run/openvswitch/db.sock --pidfile=/var/run/openvswitch/ovs-vswitchd.pid \
      --detach --log-file=/var/log/openvswitch/ovs-vswitchd.log
  fi
  for br in br-int br-phys br-ex; do ovs-vsctl --may-exist add-br $br -- set bridge $br datapath_type=netdev; done
  keep_dist /etc/neutron/plugins/ml2/openvswitch_agent.ini /etc/neutron/dhcp_agent.ini /etc/neutron/l3_agent.ini
  ovs_agent_ini "$HOST" "$LOCAL_IP" > /etc/neutron/plugins/ml2/openvswitch_agent.ini
  # ovs_use_veth: a userspace-datapath internal port cannot be moved into a namespace -> use veth pairs
  for a in dhcp l3; do
    cat > /etc/neutron/${a}_agent.ini <<EOF
[DEFAULT]
host = $HOST
interface_driver = openvswitch
ovs_use_veth = true
[ovs]
ovsdb_connection = tcp:127.0.0.1:6640
EOF
  done
  chown root:neutron /etc/neutron/plugins/ml2/openvswitch_agent.ini /etc/neutron/dhcp_agent.ini /etc/neutron/l3_agent.ini
  start_daemon neutron-openvswitch-agent neutron /usr/bin/neutron-openvswitch-agent --config-file /etc/neutron/neutron.conf \
    --config-file /etc/neutron/plugins/ml2/openvswitch_agent.ini --log-file /var/log/neutron/neutron-openvswitch-agent.log
  start_daemon neutron-dhcp-agent neutron /usr/bin/neutron-dhcp-agent --config-file /etc/neutron/neutron.conf \
    --config-file /etc/neutron/dhcp_agent.ini --log-file /var/log/neutron/neutron-dhcp-agent.log
  start_daemon neutron-l3-agent neutron /usr/bin/neutron-l3-agent --config-file /etc/neutron/neutron.conf \
    --config-file /etc/neutron/l3_agent.ini --log-file /var/log/neutron/neutron-l3-agent.log
  for _ in $(seq 1 60); do
    [ "$(openstack network agent list -f value -c Alive 2>/dev/null | grep -c True)" -ge 3 ] && break; sleep 2; done
  openstack network agent list -f value -c 'Agent Type' -c Host -c Alive
}

