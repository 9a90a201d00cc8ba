#!/bin/bash
# openstack-testbed.sh - a minimal but REAL OpenStack Zed (Debian 12 "bookworm" packages) on one machine without
# systemd as PID 1 and without Docker, for `make acceptance` (see README.md beside this file). Every daemon is
# started by hand.
#
#   Keystone (uwsgi :5000)  Glance (:9292)  Placement (uwsgi :8778)  Neutron API (uwsgi :9696) + neutron-rpc-server
#   Nova API (uwsgi :8774) + conductor + scheduler + compute, host "compute1":
#       VIRT=kvm  (default when /dev/kvm exists): libvirt/KVM, real qemu domains (blank 1 MiB disk, no guest OS)
#       VIRT=fake (default otherwise): compute_driver=fake.FakeDriver, VIFs faked by fake_plug()
#   MariaDB (127.0.0.1:3306) and RabbitMQ (127.0.0.1:5672): the machine's running ones, reused
#   DRIVER=ovs (default): Open vSwitch userspace datapath + neutron OVS/DHCP/L3 agents (flat, vlan, vxlan)
#   DRIVER=linuxbridge: neutron Linux bridge/DHCP/L3 agents, l2population (flat, vxlan; no 8021q here: no vlan)
#   sshd on 127.0.0.1:22 with key /root/.ssh/testbed_id (for a scanner that runs host commands over SSH)
#
# Usage (as root, Debian 12; IT CHANGES THIS MACHINE: packages, files under /etc, an SSH key):
#   ./openstack-testbed.sh install   # apt packages only
#   ./openstack-testbed.sh up        # configure + start everything + register services
#   ./openstack-testbed.sh demo      # a small topology of its own (make acceptance builds its own instead)
#   ./openstack-testbed.sh down      # stop every daemon started by 'up' (pid files), remove namespaces/bridges
#   ./openstack-testbed.sh wipe      # (after down) drop the databases and keys -> next 'up' starts from zero
# Two nodes: NODES=2 (then LOCAL_IP is compute1's end of the veth that ./compute2.sh net makes), see README.md.
#
# Credentials are throw-away test values; everything listens on 127.0.0.1 only.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

DRIVER=${DRIVER:-ovs}              # ovs | linuxbridge
NODES=${NODES:-1}                  # 1 | 2 (compute2 from ./compute2.sh)
case "$DRIVER" in ovs|linuxbridge) ;; *) echo "DRIVER must be ovs or linuxbridge, not '$DRIVER'" >&2; exit 2 ;; esac
case "$NODES" in 1|2) ;; *) echo "NODES must be 1 or 2, not '$NODES'" >&2; exit 2 ;; esac
DB_PASS=${DB_PASS:-DB_PASS}
RABBIT_PASS=${RABBIT_PASS:-RABBIT_PASS}
RABBIT_USER=${RABBIT_USER:-ostruth}     # private user + vhost on the SHARED RabbitMQ
RABBIT_VHOST=${RABBIT_VHOST:-ostruth}
ADMIN_PASS=${ADMIN_PASS:-ADMIN_PASS}
SVC_PASS=${SVC_PASS:-SVC_PASS}
HB_FIX=${HB_FIX:-1}                # 1: heartbeat_in_pthread for the uwsgi APIs (fixes the ~60 s idle AMQP loss)
HOST=compute1                      # nova 'host' and neutron agents' 'host' (must match for port binding)
RUN=/run/testbed                   # our pid files
PY=/usr/bin/python3                # the Debian python: OpenStack libs live in its dist-packages, not in pyenv/venv
export DEBIAN_FRONTEND=noninteractive
KS=http://127.0.0.1:5000
if [ -z "${VIRT:-}" ]; then if [ -c /dev/kvm ]; then VIRT=kvm; else VIRT=fake; fi; fi
if [ "$DRIVER" = ovs ]; then
  AGENT_PKGS="openvswitch-switch neutron-openvswitch-agent" AGENT_NAME=neutron-openvswitch-agent
  MECH_DRIVERS=openvswitch TYPE_DRIVERS=flat,vlan,vxlan INTERFACE_DRIVER=openvswitch SERVER_FIREWALL=openvswitch
  # tunnel local_ip of compute1: the loopback alone, or compute1's end of the underlay veth to compute2
  if [ "$NODES" = 2 ]; then LOCAL_IP=${LOCAL_IP:-192.168.222.1}; else LOCAL_IP=${LOCAL_IP:-127.0.0.1}; fi
else
  AGENT_PKGS="neutron-linuxbridge-agent ebtables" AGENT_NAME=neutron-linuxbridge-agent
  MECH_DRIVERS=linuxbridge,l2population TYPE_DRIVERS=flat,vxlan INTERFACE_DRIVER=linuxbridge SERVER_FIREWALL=iptables
  if [ "$NODES" = 2 ]; then LOCAL_IP=${LOCAL_IP:-192.168.222.1} EXT_IF=${EXT_IF:-c1-ext}
  else LOCAL_IP=${LOCAL_IP:-192.168.223.1} EXT_IF=${EXT_IF:-lxb-ext0}; fi   # veths made by lxb_veths
fi
TRANSPORT="rabbit://$RABBIT_USER:$RABBIT_PASS@127.0.0.1:5672/$RABBIT_VHOST"
NEUTRON_ARGS="--config-file /etc/neutron/neutron.conf --config-file /etc/neutron/plugins/ml2/ml2_conf.ini"
export DRIVER NODES LOCAL_IP

# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"
# shellcheck source=lib/control.sh
. "$HERE/lib/control.sh"
# shellcheck source=lib/agents-ovs.sh
. "$HERE/lib/agents-ovs.sh"
# shellcheck source=lib/agents-linuxbridge.sh
. "$HERE/lib/agents-linuxbridge.sh"
# shellcheck source=lib/lifecycle.sh
. "$HERE/lib/lifecycle.sh"

up() {
  echo "VIRT=$VIRT DRIVER=$DRIVER NODES=$NODES LOCAL_IP=$LOCAL_IP"
  if [ "$NODES" = 2 ] && ! ip addr show | grep -q "inet $LOCAL_IP/"; then
    echo "NODES=2: $LOCAL_IP is on no interface; run ./compute2.sh net first" >&2; return 1
  fi
  start_infra; start_keystone; start_glance; start_placement; start_neutron_server; start_nova
  if [ "$DRIVER" = ovs ]; then start_ovs_and_agents; else start_lxb_and_agents; fi
  start_sshd
  log "up"
}

case "${1:-}" in
  install) install_pkgs ;;
  up)      up ;;
  demo)    demo ;;
  down)    down ;;
  wipe)    wipe ;;
  restart-apis) restart_apis ;;
  all)     install_pkgs; up; demo ;;
  *) echo "usage: [DRIVER=ovs|linuxbridge] [NODES=1|2] $0 install|up|demo|down|wipe|restart-apis|all" >&2; exit 2 ;;
esac
