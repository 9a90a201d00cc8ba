#!/bin/bash
# compute2.sh - a second compute node "compute2" on the same machine, for the test bed of ./openstack-testbed.sh
# (NODES=2). DRIVER=ovs (default) or linuxbridge, as for openstack-testbed.sh.
#
# compute2 is a network namespace + a private mount namespace + a UTS namespace (hostname compute2):
#   veth c1-tun/c2-tun   192.168.222.1/24 (host) <-> 192.168.222.2/24 (compute2): the tunnel (VXLAN) underlay
#   veth c1-vlan/c2-vlan compute1 br-phys <-> compute2 br-phys  (physnet1, VLAN provider networks)
#   veth c1-ext/c2-ext   compute1 br-ex   <-> compute2 br-ex    (external, flat)
# Inside: (DRIVER=ovs) its own ovsdb-server/ovs-vswitchd (own DB file, /run/openvswitch bind-mounted to
# /run/compute2/ovs, userspace datapath), its own virtlogd/libvirtd (/run/libvirt, /var/lib/libvirt, /etc/libvirt/qemu private),
# neutron-openvswitch-agent or neutron-linuxbridge-agent (host=compute2, local_ip=192.168.222.2; Linux bridge:
# c2-ext is its flat external interface), nova-compute libvirt/KVM (host=compute2),
# sshd on 192.168.222.2:22, and an empty /run/netns (compute2 has no qdhcp/qrouter namespaces).
# The control plane listens on 127.0.0.1 of the host only: inside compute2, 127.0.0.1:{5672,5000,9292,8778,9696,8774}
# are relayed to the host's through UNIX sockets (socat), so the catalog's 127.0.0.1 URLs work unchanged.
# Traffic never leaves the machine (no default route in compute2, no forwarding).
#
#   ./compute2.sh net    # before 'NODES=2 ./openstack-testbed.sh up' (its LOCAL_IP 192.168.222.1 is c1-tun)
#   ./compute2.sh up     # after 'NODES=2 ./openstack-testbed.sh up'
#   ./compute2.sh x CMD  # run CMD inside compute2
#   ./compute2.sh down
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DRIVER=${DRIVER:-ovs}
case "$DRIVER" in ovs|linuxbridge) ;; *) echo "DRIVER must be ovs or linuxbridge, not '$DRIVER'" >&2; exit 2 ;; esac
# shellcheck source=lib/agents-ovs.sh
. "$HERE/lib/agents-ovs.sh"
# shellcheck source=lib/agents-linuxbridge.sh
. "$HERE/lib/agents-linuxbridge.sh"
NS=compute2 C1_IP=192.168.222.1 C2_IP=192.168.222.2
R=/run/compute2 V=/var/lib/compute2 L=/var/log/compute2 E=/etc/compute2
PORTS="5672 5000 9292 8778 9696 8774 3306"
log() { printf '\n=== compute2: %s  [%s]\n' "$*" "$(date +%T)"; }
hp() { cat $R/holder.pid; }
X() { nsenter -t "$(hp)" -m -u -n -- "$@"; }

net() {
  log "namespace and veths"
  ip netns list | grep -qw "^$NS" || ip netns add $NS
  ip netns exec $NS ip link set lo up
  for p in tun vlan ext; do
    ip link show c1-$p >/dev/null 2>&1 || ip link add c1-$p type veth peer name c2-$p netns $NS
    ip link set c1-$p up; ip netns exec $NS ip link set c2-$p up
  done
  ip addr replace $C1_IP/24 dev c1-tun
  ip netns exec $NS ip addr replace $C2_IP/24 dev c2-tun
}

holder() {
  if [ -f $R/holder.pid ] && kill -0 "$(hp)" 2>/dev/null; then return 0; fi
  log "mount + UTS namespace holder"
  mkdir -p $R/ovs $R/libvirt $R/pids $R/netns $R/fwd $V/ovs $V/libvirt $V/etc-libvirt-qemu $L/ovs $L/libvirt $E
  chmod 755 $E $R
  # private copies of libvirt's directory skeletons (directories only, same owners and modes)
  for pair in /var/lib/libvirt:$V/libvirt /etc/libvirt/qemu:$V/etc-libvirt-qemu; do
    src=${pair%%:*} dst=${pair##*:}
    (cd "$src" && find . -type d ! -path './autostart*' ! -path './networks/autostart*') | while read -r d; do
      mkdir -p "$dst/$d"; chown --reference="$src/$d" "$dst/$d"; chmod --reference="$src/$d" "$dst/$d"; done
  done
  chown --reference=/var/log/libvirt $L/libvirt; chmod --reference=/var/log/libvirt $L/libvirt
  cat > $R/holder.sh <<EOF
set -e
hostname $NS
# 'ip netns exec' remounted /sys for the namespace: put the cgroup (v1) hierarchies back for libvirt
mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup
for c in cpu cpuacct cpuset memory devices freezer blkio pids; do mkdir -p /sys/fs/cgroup/\$c; mount -t cgroup -o \$c cgroup /sys/fs/cgroup/\$c; done
mkdir -p /sys/fs/cgroup/systemd; mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd
mkdir -p /run/openvswitch /var/log/openvswitch /run/libvirt /var/log/libvirt
mount --bind $R/ovs /run/openvswitch
mount --bind $L/ovs /var/log/openvswitch
mount --bind $R/libvirt /run/libvirt
mount --bind $V/libvirt /var/lib/libvirt
mount --bind $V/etc-libvirt-qemu /etc/libvirt/qemu
mount --bind $L/libvirt /var/log/libvirt
mount --bind $R/netns /run/netns
echo \$\$ > $R/holder.pid
exec sleep infinity
EOF
  rm -f $R/holder.pid
  setsid nohup ip netns exec $NS unshare --mount --uts --propagation private /bin/sh $R/holder.sh >$L/holder.log 2>&1 </dev/null &
  for _ in $(seq 1 50); do [ -s $R/holder.pid ] && break; sleep 0.2; done
  [ -s $R/holder.pid ] || { cat $L/holder.log; return 1; }
  echo "holder pid $(hp); hostname inside: $(X hostname)"
}

relays() {
  log "relays 127.0.0.1:{$PORTS} -> host"
  for p in $PORTS; do
    if [ -f $R/pids/relay-h-$p.pid ] && kill -0 "$(cat $R/pids/relay-h-$p.pid)" 2>/dev/null; then continue; fi
    rm -f $R/fwd/$p.sock
    setsid nohup socat UNIX-LISTEN:$R/fwd/$p.sock,fork,mode=666 TCP:127.0.0.1:$p >/dev/null 2>&1 </dev/null &
    echo $! > $R/pids/relay-h-$p.pid
    setsid nohup nsenter -t "$(hp)" -n -- socat TCP-LISTEN:$p,bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:$R/fwd/$p.sock >/dev/null 2>&1 </dev/null &
    echo $! > $R/pids/relay-n-$p.pid
  done
  sleep 1; X curl -s -o /dev/null -w 'keystone through the relay: HTTP %{http_code}\n' http://127.0.0.1:5000/v3
}

ovs() {
  log "Open vSwitch (own DB, userspace datapath)"
  [ -f $V/ovs/conf.db ] || ovsdb-tool create $V/ovs/conf.db /usr/share/openvswitch/vswitch.ovsschema
  if ! X ovs-vsctl --timeout=2 show >/dev/null 2>&1; then
    X ovsdb-server $V/ovs/conf.db --remote=punix:/run/openvswitch/db.sock --remote=ptcp:6640:127.0.0.1 \
      --remote=db:Open_vSwitch,Open_vSwitch,manager_options --pidfile=/run/openvswitch/ovsdb-server.pid \
      --detach --log-file=/var/log/openvswitch/ovsdb-server.log
    X ovs-vsctl --no-wait init
    X ovs-vsctl --no-wait set Open_vSwitch . external_ids:system-id=$NS external_ids:hostname=$NS
    X ovs-vswitchd unix:/run/openvswitch/db.sock --pidfile=/run/openvswitch/ovs-vswitchd.pid \
      --detach --log-file=/var/log/openvswitch/ovs-vswitchd.log
  fi
  for br in br-int br-phys br-ex; do X ovs-vsctl --may-exist add-br $br -- set bridge $br datapath_type=netdev; done
  X ovs-vsctl --may-exist add-port br-phys c2-vlan
  X ovs-vsctl --may-exist add-port br-ex c2-ext
  # compute1's provider bridges get the other ends (its OVS is the host's)
  ovs-vsctl --may-exist add-port br-phys c1-vlan
  ovs-vsctl --may-exist add-port br-ex c1-ext
}

libvirt() {
  log "virtlogd + libvirtd"
  [ -f $R/pids/virtlogd.pid ] && kill -0 "$(cat $R/pids/virtlogd.pid)" 2>/dev/null || X virtlogd -d -p $R/pids/virtlogd.pid
  [ -f $R/pids/libvirtd.pid ] && kill -0 "$(cat $R/pids/libvirtd.pid)" 2>/dev/null || X libvirtd -d -p $R/pids/libvirtd.pid
  for _ in $(seq 1 60); do X runuser -u nova -- virsh -c qemu:///system hostname >/dev/null 2>&1 && break; sleep 0.5; done
  echo "libvirt hostname: $(X runuser -u nova -- virsh -c qemu:///system hostname)"
}

agent() {
  local name ini cmd
  if [ "$DRIVER" = ovs ]; then
    name=neutron-openvswitch-agent ini=$E/openvswitch_agent.ini cmd=/usr/bin/neutron-openvswitch-agent
    ovs_agent_ini $NS $C2_IP > $ini
  else   # the same ebtables-nft fix as compute1's (openstack-testbed.sh wrote it)
    name=neutron-linuxbridge-agent ini=$E/linuxbridge_agent.ini cmd=/usr/local/bin/neutron-linuxbridge-agent-nftfix
    lxb_agent_ini $NS $C2_IP c2-ext > $ini
  fi
  log "$name host=compute2"
  chown root:neutron $ini; chmod 640 $ini
  [ -f $R/pids/agent.pid ] && kill -0 "$(cat $R/pids/agent.pid)" 2>/dev/null || \
  X start-stop-daemon --start --background --make-pidfile --pidfile $R/pids/agent.pid \
    --chuid neutron --chdir /var/lib/neutron --output /var/log/neutron/$name-c2.out --startas /bin/sh -- -c \
    "exec $cmd --config-file /etc/neutron/neutron.conf --config-file $ini --log-file /var/log/neutron/$name-c2.log"
}

compute() {
  log "nova-compute (libvirt/KVM) host=compute2"
  mkdir -p /var/lib/nova/instances-c2 /var/lib/nova/tmp-c2; chown nova:nova /var/lib/nova/instances-c2 /var/lib/nova/tmp-c2
  cat > $E/nova-compute2.conf <<EOF
[DEFAULT]
host = $NS
my_ip = $C2_IP
instances_path = /var/lib/nova/instances-c2
[oslo_concurrency]
lock_path = /var/lib/nova/tmp-c2
EOF
  chown root:nova $E/nova-compute2.conf; chmod 640 $E/nova-compute2.conf
  [ -f $R/pids/nova-compute.pid ] && kill -0 "$(cat $R/pids/nova-compute.pid)" 2>/dev/null || \
  X start-stop-daemon --start --background --make-pidfile --pidfile $R/pids/nova-compute.pid \
    --chuid nova --chdir /var/lib/nova --output /var/log/nova/nova-compute2.out --startas /bin/sh -- -c \
    "exec /usr/bin/nova-compute --config-file /etc/nova/nova.conf --config-file /etc/nova/nova-compute-libvirt.conf --config-file $E/nova-compute2.conf --log-file /var/log/nova/nova-compute2.log"
}

sshd() {
  log "sshd on $C2_IP:22"; mkdir -p /run/sshd
  [ -f $R/pids/sshd.pid ] && kill -0 "$(cat $R/pids/sshd.pid)" 2>/dev/null || \
    X /usr/sbin/sshd -o ListenAddress=$C2_IP -o Port=22 -o PermitRootLogin=prohibit-password -o PidFile=$R/pids/sshd.pid -E /var/log/sshd-compute2.log
}

wait_up() {
  . /root/admin-openrc
  for _ in $(seq 1 90); do
    a=$(openstack network agent list --host $NS -f value -c Alive 2>/dev/null | grep -c True || true)
    c=$(openstack compute service list --host $NS -f value -c State 2>/dev/null | grep -c up || true)
    [ "$a" -ge 1 ] && [ "$c" -ge 1 ] && break; sleep 3; done
  su -s /bin/sh -c "nova-manage cell_v2 discover_hosts" nova
  openstack network agent list -c 'Agent Type' -c Host -c Alive -f value; openstack compute service list -f value -c Binary -c Host -c State
  openstack hypervisor list
}

up() {
  net; holder; relays
  if [ "$DRIVER" = ovs ]; then ovs; fi   # Linux bridge: the agent makes brq bridges; c2-ext is its external NIC
  libvirt; agent; compute; sshd; wait_up; log "up"
}

killp() { local f=$1; [ -f "$f" ] || return 0; local p; p=$(cat "$f"); kill "$p" 2>/dev/null || true
          for _ in $(seq 1 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done; rm -f "$f"; }
down() {
  log "stopping compute2"
  if [ -f $R/holder.pid ] && kill -0 "$(hp)" 2>/dev/null; then
    if [ -f $R/pids/libvirtd.pid ]; then for d in $(X virsh list --name 2>/dev/null); do X virsh destroy "$d" >/dev/null || true; done; fi
  fi
  for n in sshd nova-compute agent; do killp $R/pids/$n.pid; done
  killp $R/pids/libvirtd.pid; killp $R/pids/virtlogd.pid
  if [ -f $R/holder.pid ] && kill -0 "$(hp)" 2>/dev/null && [ "$DRIVER" = ovs ]; then
    for br in $(X ovs-vsctl --timeout=2 list-br 2>/dev/null); do X ovs-vsctl del-br "$br"; done
  fi
  killp $R/ovs/ovs-vswitchd.pid; killp $R/ovs/ovsdb-server.pid
  for p in $PORTS; do killp $R/pids/relay-n-$p.pid; killp $R/pids/relay-h-$p.pid; done
  ovs-vsctl --timeout=2 del-port br-phys c1-vlan 2>/dev/null || true; ovs-vsctl --timeout=2 del-port br-ex c1-ext 2>/dev/null || true
  killp $R/holder.pid
  ip netns del $NS 2>/dev/null || true      # takes the c2-* veth ends, and with them the c1-* ends
  for p in tun vlan ext; do ip link del c1-$p 2>/dev/null || true; done
}

case "${1:-}" in
  net) net ;;
  up) up ;;
  down) down ;;
  x) shift; X "$@" ;;
  step) shift; for f in "$@"; do $f; done ;;
  *) echo "usage: $0 net|up|down|x CMD..." >&2; exit 2 ;;
esac
