# lifecycle.sh - notifications listener, fake VIF plugging, the demo topology, down, wipe, restart of the APIs.
# shellcheck shell=bash
# ---------------------------------------------------------------------------------------------------------
write_listener() {
  cat > /usr/local/bin/testbed-notif-listen <<EOF
#!$PY
"""Bind a private queue to the OpenStack control exchanges; print exchange, event_type, publisher of each notification."""
import json, kombu
URL = "amqp://$RABBIT_USER:$RABBIT_PASS@127.0.0.1:5672/$RABBIT_VHOST"
with kombu.Connection(URL) as conn:
    q = kombu.Queue("testbed-listener", durable=False, auto_delete=False, channel=conn.channel()); q.declare()
    for ex in ("neutron", "nova", "keystone", "glance", "openstack"):
        e = kombu.Exchange(ex, type="topic", durable=False); e(conn.channel()).declare()
        for rk in ("notifications.info", "notifications.error", "versioned_notifications.info"):
            q.bind_to(exchange=e, routing_key=rk)
    def on(body, msg):
        b = json.loads(body) if isinstance(body, str) else body
        if "oslo.message" in b: b = json.loads(b["oslo.message"])
        print(msg.delivery_info.get("exchange"), b.get("event_type"), b.get("publisher_id"), flush=True); msg.ack()
    with kombu.Consumer(conn, queues=[q], callbacks=[on], accept=["json"]):
        while True: conn.drain_events()
EOF
  chmod +x /usr/local/bin/testbed-notif-listen
  if [ ! -f $RUN/notif-listener.pid ] || ! kill -0 "$(cat $RUN/notif-listener.pid)" 2>/dev/null; then
    setsid nohup /usr/local/bin/testbed-notif-listen > /var/log/testbed-notifications.log 2>&1 </dev/null &
    echo $! > $RUN/notif-listener.pid; sleep 2
  fi
}

# FakeDriver does not plug VIFs. Emulate os-vif: one OVS internal port per compute:nova port on br-int with the
# external_ids the OVS agent looks for -> the agent wires it, neutron marks the port ACTIVE.
fake_plug() {
  openstack port list --device-owner compute:nova -f value -c ID -c "MAC Address" | while read -r pid mac; do
    dev="tap${pid:0:11}"; vm=$(openstack port show "$pid" -f value -c device_id)
    ovs-vsctl --may-exist add-port br-int "$dev" -- set Interface "$dev" type=internal \
      external_ids:iface-id="$pid" external_ids:attached-mac="$mac" external_ids:iface-status=active external_ids:vm-uuid="$vm"
    ip link set "$dev" address "$mac"; ip link set "$dev" up
  done
}

demo() {
  . /root/admin-openrc
  write_listener
  log "demo resources"
  openstack network show net1 >/dev/null 2>&1 || {
    openstack network create net1 >/dev/null
    openstack subnet create --network net1 --subnet-range 10.0.0.0/24 subnet1 >/dev/null
    if [ "$DRIVER" = ovs ]; then
      openstack network create --provider-network-type vlan --provider-physical-network physnet1 --provider-segment 101 net-vlan >/dev/null
    fi
    openstack network create --external --provider-network-type flat --provider-physical-network external ext-net >/dev/null
    openstack subnet create --network ext-net --subnet-range 172.24.4.0/24 --no-dhcp ext-subnet >/dev/null
    openstack router create router1 >/dev/null
    openstack router add subnet router1 subnet1
    openstack router set --external-gateway ext-net router1
    openstack port create --network net1 port1 >/dev/null; }
  openstack image show fake-image >/dev/null 2>&1 || {
    head -c 1048576 /dev/zero > "${STATE:-.}/fake.img"
    openstack image create --disk-format raw --container-format bare --public --file "${STATE:-.}/fake.img" fake-image >/dev/null; }
  openstack flavor show m1.tiny >/dev/null 2>&1 || openstack flavor create --ram 64 --disk 1 --vcpus 1 m1.tiny >/dev/null
  openstack server show vm1 >/dev/null 2>&1 || \
    openstack server create --flavor m1.tiny --image fake-image --nic net-id="$(openstack network show net1 -f value -c id)" --wait vm1 >/dev/null
  [ "$VIRT" = fake ] && { fake_plug; sleep 8; }
  openstack server list; openstack port list -c ID -c device_owner -c Status -c "Fixed IP Addresses"
  if [ "$DRIVER" = ovs ]; then ovs-vsctl show | grep -E 'Bridge|Port '; fi
  ip netns; bridge link show
  [ "$VIRT" = kvm ] && virsh list
  echo "--- notifications seen:"; awk '{print $1, $2}' /var/log/testbed-notifications.log | sort | uniq -c
}

# ---------------------------------------------------------------------------------------------------------
down() {
  log "stopping"
  if [ "$VIRT" = kvm ] && [ -f /run/libvirtd.pid ]; then     # power off instances (they would keep taps alive)
    for d in $(virsh list --name); do virsh destroy "$d" >/dev/null; done
  fi
  for n in sshd notif-listener neutron-l3-agent neutron-dhcp-agent $AGENT_NAME nova-compute nova-scheduler \
           nova-conductor nova-api neutron-rpc-server neutron-api placement-api glance-api keystone; do killpid $RUN/$n.pid; done
  # children the agents spawned (dnsmasq, haproxy) by their own pid files
  for f in /var/lib/neutron/dhcp/*/pid /var/lib/neutron/external/pids/*.pid*; do killpid "$f"; done
  for ns in $(ip netns list | awk '/^(qdhcp|qrouter|snat|fip)-/{print $1}'); do ip netns del "$ns"; done
  killpid /run/libvirtd.pid; killpid /run/virtlogd.pid
  if [ "$DRIVER" = ovs ]; then
    if ovs-vsctl --timeout=2 show >/dev/null 2>&1; then for br in $(ovs-vsctl list-br); do ovs-vsctl del-br "$br"; done; fi
    killpid /var/run/openvswitch/ovs-vswitchd.pid; killpid /var/run/openvswitch/ovsdb-server.pid
    leftovers='^(qbr|qvo)'        # hybrid-plug devices (qbr bridges, qvo/qvb veths) of powered-off instances
  else
    leftovers='^(brq|vxlan-|tap)' # Linux bridge: brq bridges, vxlan-<VNI> devices, taps
    if [ "$NODES" = 1 ]; then for d in lxb-ul0 "$EXT_IF"; do ip link del "$d" 2>/dev/null || true; done; fi
  fi
  for d in $(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E "$leftovers"); do ip link del "$d" 2>/dev/null || true; done
  # MariaDB and RabbitMQ are shared: left running
}

wipe() {   # after 'down': forget all OpenStack state (databases, keys, OVS db, instances, images)
  log "wiping state"
  for d in keystone glance placement neutron nova_api nova nova_cell0; do mysql -e "DROP DATABASE IF EXISTS $d"; done
  mysql -e "DROP USER IF EXISTS 'openstack'@'localhost'; DROP USER IF EXISTS 'openstack'@'127.0.0.1';"
  [ -n "$RABBIT_VHOST" ] && rabbitmqctl delete_vhost "$RABBIT_VHOST" 2>/dev/null || true
  [ -n "$RABBIT_USER" ] && rabbitmqctl delete_user "$RABBIT_USER" 2>/dev/null || true
  rm -rf /etc/keystone/fernet-keys /etc/keystone/credential-keys /etc/openvswitch/conf.db \
         /var/lib/nova/instances/* /var/lib/glance/images/* /var/log/testbed-notifications.log
}

restart_apis() {
  log "restart nova-api and neutron-api (HB_FIX=$HB_FIX)"
  killpid $RUN/nova-api.pid; killpid $RUN/neutron-api.pid
  write_wsgi_rabbit_conf /etc/neutron/neutron-api-uwsgi.conf neutron
  write_wsgi_rabbit_conf /etc/nova/nova-api-uwsgi.conf nova
  UWSGI_PROCESSES=$( [ "$HB_FIX" = 1 ] && echo 3 || echo 2) UWSGI_THREADS=$( [ "$HB_FIX" = 1 ] && echo 1 || echo 4) start_uwsgi neutron-api 9696 /usr/bin/neutron-api neutron "$NEUTRON_ARGS --config-file /etc/neutron/neutron-api-uwsgi.conf"
  UWSGI_PROCESSES=$( [ "$HB_FIX" = 1 ] && echo 3 || echo 2) UWSGI_THREADS=$( [ "$HB_FIX" = 1 ] && echo 1 || echo 4) start_uwsgi nova-api 8774 /usr/bin/nova-api-wsgi nova "" "env = OS_NOVA_CONFIG_FILES=api-paste.ini;nova.conf;nova-api-uwsgi.conf"
  wait_http http://127.0.0.1:9696/ neutron-api; wait_http http://127.0.0.1:8774/ nova-api
}

