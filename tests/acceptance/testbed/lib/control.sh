# control.sh - the control plane of the test bed (sourced by openstack-testbed.sh): packages, MariaDB and RabbitMQ
# users, Keystone, Glance, Placement, the Neutron server (ML2 for $DRIVER), Nova, libvirt and sshd.
# shellcheck shell=bash
# ---------------------------------------------------------------------------------------------------------
install_pkgs() {
  log "install packages"
  # keep maintainer scripts from starting daemons (no systemd; we start everything ourselves)
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
  # tell the OpenStack packages NOT to configure databases / endpoints through dbconfig-common
  debconf-set-selections <<'EOF'
keystone keystone/configure_db boolean false
keystone keystone/create-admin-tenant boolean false
keystone keystone/register-endpoint boolean false
neutron-common neutron/configure_db boolean false
neutron-server neutron/register-endpoint boolean false
nova-common nova/configure_db boolean false
nova-api nova/register-endpoint boolean false
placement-common placement/configure_db boolean false
placement-api placement/register-endpoint boolean false
glance-common glance/configure_db boolean false
glance-api glance/register-endpoint boolean false
EOF
  apt-get -o DPkg::Lock::Timeout=900 update
  # mariadb-server and rabbitmq-server are already installed and SHARED: never (re)install them here
  apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends python3-pymysql python3-kombu curl python3-openstackclient
  apt-get -o DPkg::Lock::Timeout=900 install -y keystone                        # recommends needed (python3-keystoneclient etc.)
  apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends glance-api placement-api python3-osc-placement \
      neutron-server nova-api nova-conductor nova-scheduler
  apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends $AGENT_PKGS \
      neutron-dhcp-agent neutron-l3-agent neutron-metadata-agent iputils-arping iputils-ping bridge-utils openssh-server
  # libvirt + qemu (about 130 MB). Not needed for VIRT=fake: FakeDriver only needs python3-nova.
  apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends nova-compute-kvm libvirt-clients
}

# ---------------------------------------------------------------------------------------------------------
# ---------------------------------------------------------------------------------------------------------
start_infra() {
  # MariaDB and RabbitMQ are SHARED with other work: reuse the running ones, never write their config or restart them
  log "MariaDB (shared, reused)"
  mysqladmin ping >/dev/null 2>&1 || { echo "MariaDB is not running (shared; not starting it)" >&2; return 1; }
  mysql <<EOF
CREATE DATABASE IF NOT EXISTS keystone CHARACTER SET utf8; CREATE DATABASE IF NOT EXISTS glance CHARACTER SET utf8;
CREATE DATABASE IF NOT EXISTS placement CHARACTER SET utf8; CREATE DATABASE IF NOT EXISTS neutron CHARACTER SET utf8;
CREATE DATABASE IF NOT EXISTS nova_api CHARACTER SET utf8; CREATE DATABASE IF NOT EXISTS nova CHARACTER SET utf8;
CREATE DATABASE IF NOT EXISTS nova_cell0 CHARACTER SET utf8;
CREATE USER IF NOT EXISTS 'openstack'@'localhost' IDENTIFIED BY '$DB_PASS';
CREATE USER IF NOT EXISTS 'openstack'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
GRANT ALL PRIVILEGES ON *.* TO 'openstack'@'localhost';
GRANT ALL PRIVILEGES ON *.* TO 'openstack'@'127.0.0.1';
FLUSH PRIVILEGES;
EOF
  log "RabbitMQ (shared, reused): private user $RABBIT_USER and vhost $RABBIT_VHOST"
  rabbitmqctl -q status >/dev/null 2>&1 || { echo "RabbitMQ is not running (shared; not starting it)" >&2; return 1; }
  [ -n "$RABBIT_VHOST" ] && [ -n "$RABBIT_USER" ] || { echo "RABBIT_USER/RABBIT_VHOST empty" >&2; return 1; }
  rabbitmqctl -q list_vhosts name | grep -qx "$RABBIT_VHOST" || rabbitmqctl add_vhost "$RABBIT_VHOST"
  rabbitmqctl -q list_users | grep -q "^$RABBIT_USER[[:space:]]" || rabbitmqctl add_user "$RABBIT_USER" "$RABBIT_PASS"
  rabbitmqctl set_permissions -p "$RABBIT_VHOST" "$RABBIT_USER" ".*" ".*" ".*"
}

DB() { echo "mysql+pymysql://openstack:$DB_PASS@127.0.0.1/$1"; }

# ---------------------------------------------------------------------------------------------------------
start_keystone() {
  log "Keystone"
  keep_dist /etc/keystone/keystone.conf
  cat > /etc/keystone/keystone.conf <<EOF
[DEFAULT]
log_dir = /var/log/keystone
log_file = keystone.log
[catalog]
driver = sql
[database]
connection = $(DB keystone)
[token]
provider = fernet
[oslo_policy]
policy_dirs = /etc/keystone/policy.d
[oslo_messaging_notifications]
driver = messagingv2
transport_url = $TRANSPORT
EOF
  chown root:keystone /etc/keystone/keystone.conf; chmod 640 /etc/keystone/keystone.conf
  # (the "AttributeError: 'NoneType' object has no attribute 'getcurrent'" printed at exit is harmless)
  su -s /bin/sh -c "keystone-manage db_sync" keystone 2>/dev/null
  keystone-manage fernet_setup --keystone-user keystone --keystone-group keystone 2>/dev/null
  keystone-manage credential_setup --keystone-user keystone --keystone-group keystone 2>/dev/null
  keystone-manage bootstrap --bootstrap-password "$ADMIN_PASS" \
    --bootstrap-admin-url $KS/v3/ --bootstrap-internal-url $KS/v3/ --bootstrap-public-url $KS/v3/ \
    --bootstrap-region-id RegionOne 2>/dev/null
  start_uwsgi keystone 5000 /usr/bin/keystone-wsgi-public keystone
  wait_http $KS/v3 keystone
  cat > /root/admin-openrc <<EOF
export OS_USERNAME=admin OS_PASSWORD=$ADMIN_PASS OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default OS_AUTH_URL=$KS/v3 OS_IDENTITY_API_VERSION=3 OS_REGION_NAME=RegionOne
EOF
  # v3 password token check with plain curl
  curl -s -o /dev/null -w 'token request: HTTP %{http_code}\n' -X POST $KS/v3/auth/tokens -H 'Content-Type: application/json' \
    -d '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"name":"Default"},"password":"'"$ADMIN_PASS"'"}}},"scope":{"project":{"name":"admin","domain":{"name":"Default"}}}}}'
  . /root/admin-openrc
  openstack project show service >/dev/null 2>&1 || openstack project create --domain default service >/dev/null
  for u in glance placement neutron nova; do ensure_user $u; done
  ensure_service glance image http://127.0.0.1:9292
  ensure_service placement placement http://127.0.0.1:8778
  ensure_service neutron network http://127.0.0.1:9696
  ensure_service nova compute http://127.0.0.1:8774/v2.1
}

start_glance() {
  log "Glance"
  keep_dist /etc/glance/glance-api.conf
  { cat <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 9292
workers = 1
log_dir = /var/log/glance
enabled_backends = file:file
transport_url = $TRANSPORT
[database]
connection = $(DB glance)
[glance_store]
default_backend = file
[file]
filesystem_store_datadir = /var/lib/glance/images
[paste_deploy]
flavor = keystone
[oslo_concurrency]
lock_path = /var/lib/glance/tmp
[oslo_messaging_notifications]
driver = messagingv2
EOF
    ini_auth keystone_authtoken glance; } > /etc/glance/glance-api.conf
  chown root:glance /etc/glance/glance-api.conf; chmod 640 /etc/glance/glance-api.conf
  mkdir -p /var/lib/glance/images /var/lib/glance/tmp; chown -R glance /var/lib/glance
  su -s /bin/sh -c "glance-manage db_sync" glance >/dev/null 2>&1
  # Debian runs glance-api as an eventlet daemon, not uwsgi ("Glance appears broken with uwsgi")
  start_daemon glance-api glance /usr/bin/glance-api --config-file /etc/glance/glance-api.conf
  wait_http http://127.0.0.1:9292/ glance
}

start_placement() {
  log "Placement"
  keep_dist /etc/placement/placement.conf
  { cat <<EOF
[DEFAULT]
log_dir = /var/log/placement
[api]
auth_strategy = keystone
[placement_database]
connection = $(DB placement)
EOF
    ini_auth keystone_authtoken placement $KS/v3; } > /etc/placement/placement.conf
  chown root:placement /etc/placement/placement.conf; chmod 640 /etc/placement/placement.conf
  su -s /bin/sh -c "placement-manage db sync" placement
  start_uwsgi placement-api 8778 /usr/bin/placement-api placement
  wait_http http://127.0.0.1:8778/ placement
}

# The uwsgi-hosted nova-api and neutron-api monkey-patch eventlet (nova/api/openstack/__init__.py imports
# nova.monkey_patch; /usr/bin/neutron-api imports neutron.cmd.eventlet). oslo.messaging then runs its AMQP
# heartbeat in a GREEN thread, which never runs while the uwsgi worker idles in uwsgi's C accept loop: no
# heartbeat frames, RabbitMQ closes the connection ("missed heartbeats from client, timeout: 60s") and the next
# RPC cast / notification has to reconnect (or is delayed / fails). oslo.messaging's own answer for WSGI apps is
# [oslo_messaging_rabbit] heartbeat_in_pthread = true (native thread), set here for the two APIs only
# (it is not recommended for the eventlet daemons).
write_wsgi_rabbit_conf() {  # FILE OWNER_GROUP
  { echo "[oslo_messaging_rabbit]"; if [ "$HB_FIX" = 1 ]; then echo "heartbeat_in_pthread = true"; fi; } > "$1"
  chown root:$2 "$1"; chmod 640 "$1"
}
start_neutron_server() {
  log "Neutron server (ML2: $MECH_DRIVERS mechanism drivers; $TYPE_DRIVERS type drivers)"
  keep_dist /etc/neutron/neutron.conf /etc/neutron/plugins/ml2/ml2_conf.ini
  { cat <<EOF
[DEFAULT]
core_plugin = ml2
service_plugins = router
auth_strategy = keystone
transport_url = $TRANSPORT
notify_nova_on_port_status_changes = true
notify_nova_on_port_data_changes = true
interface_driver = $INTERFACE_DRIVER
dhcp_agents_per_network = 1
api_workers = 1
rpc_workers = 1
rpc_state_report_workers = 1
log_dir = /var/log/neutron
[agent]
root_helper = sudo neutron-rootwrap /etc/neutron/rootwrap.conf
[database]
connection = $(DB neutron)
[oslo_concurrency]
lock_path = /var/lib/neutron/tmp
[oslo_messaging_notifications]
driver = messagingv2
EOF
    # Zed: the linuxbridge mechanism driver refuses to start (neutron-server crash-loops) unless enabled here
    if [ "$DRIVER" = linuxbridge ]; then printf '[experimental]\nlinuxbridge = true\n'; fi
    ini_auth keystone_authtoken neutron
    ini_auth nova nova; } > /etc/neutron/neutron.conf
  { cat <<EOF
[ml2]
type_drivers = $TYPE_DRIVERS
tenant_network_types = vxlan
mechanism_drivers = $MECH_DRIVERS
extension_drivers = port_security
[ml2_type_flat]
flat_networks = external
[ml2_type_vxlan]
vni_ranges = 1:1000
[securitygroup]
enable_security_group = true
firewall_driver = $SERVER_FIREWALL
EOF
    # no 8021q in a Linux bridge bed's kernel here: VLAN networks only with Open vSwitch
    if [ "$DRIVER" = ovs ]; then printf '[ml2_type_vlan]\nnetwork_vlan_ranges = physnet1:100:200\n'; fi
  } > /etc/neutron/plugins/ml2/ml2_conf.ini
  chown root:neutron /etc/neutron/neutron.conf /etc/neutron/plugins/ml2/ml2_conf.ini; chmod 640 /etc/neutron/neutron.conf
  mkdir -p /var/lib/neutron/tmp; chown neutron /var/lib/neutron/tmp
  su -s /bin/sh -c "neutron-db-manage $NEUTRON_ARGS upgrade heads" neutron >/dev/null 2>&1
  write_wsgi_rabbit_conf /etc/neutron/neutron-api-uwsgi.conf neutron
  UWSGI_PROCESSES=$( [ "$HB_FIX" = 1 ] && echo 3 || echo 2) UWSGI_THREADS=$( [ "$HB_FIX" = 1 ] && echo 1 || echo 4) start_uwsgi neutron-api 9696 /usr/bin/neutron-api neutron "$NEUTRON_ARGS --config-file /etc/neutron/neutron-api-uwsgi.conf"
  start_daemon neutron-rpc-server neutron /usr/bin/neutron-rpc-server $NEUTRON_ARGS --log-file /var/log/neutron/neutron-rpc-server.log
  wait_http http://127.0.0.1:9696/ neutron-api
}

start_nova() {
  log "Nova (VIRT=$VIRT)"
  keep_dist /etc/nova/nova.conf
  { cat <<EOF
[DEFAULT]
my_ip = 127.0.0.1
host = $HOST
state_path = /var/lib/nova
log_dir = /var/log/nova
transport_url = $TRANSPORT
compute_driver = fake.FakeDriver
osapi_compute_workers = 1
metadata_workers = 1
[api]
auth_strategy = keystone
[api_database]
connection = $(DB nova_api)
[database]
connection = $(DB nova)
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 30
[glance]
api_servers = http://127.0.0.1:9292
[notifications]
notify_on_state_change = vm_and_task_state
notification_format = both
[oslo_messaging_notifications]
driver = messagingv2
[oslo_concurrency]
lock_path = /var/lib/nova/tmp
[vnc]
enabled = false
[wsgi]
api_paste_config = /etc/nova/api-paste.ini
EOF
    ini_auth keystone_authtoken nova
    ini_auth neutron neutron
    ini_auth placement placement $KS/v3; } > /etc/nova/nova.conf
  chown root:nova /etc/nova/nova.conf; chmod 640 /etc/nova/nova.conf
  mkdir -p /var/lib/nova/tmp; chown nova /var/lib/nova/tmp
  su -s /bin/sh -c "nova-manage api_db sync" nova
  su -s /bin/sh -c "nova-manage cell_v2 map_cell0" nova
  su -s /bin/sh -c "nova-manage cell_v2 list_cells" nova | grep -q ' cell1 ' || \
    su -s /bin/sh -c "nova-manage cell_v2 create_cell --name=cell1" nova
  su -s /bin/sh -c "nova-manage db sync" nova
  # nova-compute entry point without the 'nova-compute' Debian package (that one drags in libvirt+qemu)
  cat > /usr/local/bin/nova-compute-fake <<EOF
#!$PY
import sys
from nova.cmd.compute import main
sys.exit(main())
EOF
  chmod +x /usr/local/bin/nova-compute-fake
  write_wsgi_rabbit_conf /etc/nova/nova-api-uwsgi.conf nova
  UWSGI_PROCESSES=$( [ "$HB_FIX" = 1 ] && echo 3 || echo 2) UWSGI_THREADS=$( [ "$HB_FIX" = 1 ] && echo 1 || echo 4) start_uwsgi nova-api 8774 /usr/bin/nova-api-wsgi nova "" "env = OS_NOVA_CONFIG_FILES=api-paste.ini;nova.conf;nova-api-uwsgi.conf"
  start_daemon nova-conductor nova /usr/bin/nova-conductor --config-file /etc/nova/nova.conf --log-file /var/log/nova/nova-conductor.log
  start_daemon nova-scheduler nova /usr/bin/nova-scheduler --config-file /etc/nova/nova.conf --log-file /var/log/nova/nova-scheduler.log
  if [ "$VIRT" = kvm ]; then
    start_libvirt
    cat > /etc/nova/nova-compute-libvirt.conf <<'EOF'
[DEFAULT]
compute_driver = libvirt.LibvirtDriver
[libvirt]
virt_type = kvm
cpu_mode = none
EOF
    chown root:nova /etc/nova/nova-compute-libvirt.conf; chmod 640 /etc/nova/nova-compute-libvirt.conf
    start_daemon nova-compute nova /usr/bin/nova-compute --config-file /etc/nova/nova.conf \
      --config-file /etc/nova/nova-compute-libvirt.conf --log-file /var/log/nova/nova-compute.log
  else
    start_daemon nova-compute nova /usr/local/bin/nova-compute-fake --config-file /etc/nova/nova.conf --log-file /var/log/nova/nova-compute.log
  fi
  wait_http http://127.0.0.1:8774/ nova-api
  for _ in $(seq 1 60); do openstack compute service list --service nova-compute -f value -c State 2>/dev/null | grep -q up && break; sleep 2; done
  su -s /bin/sh -c "nova-manage cell_v2 discover_hosts" nova
}

start_libvirt() {
  log "libvirt (no systemd: no dbus/polkit -> plain socket permissions)"
  rm -f /etc/libvirt/qemu/networks/autostart/default.xml      # no virbr0 'default' network
  grep -q '^# testbed' /etc/libvirt/libvirtd.conf || cat >> /etc/libvirt/libvirtd.conf <<'EOF'
# testbed: no polkit/dbus here -> plain unix socket permissions
unix_sock_group = "libvirt"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0770"
auth_unix_ro = "none"
auth_unix_rw = "none"
EOF
  [ -f /run/virtlogd.pid ] && kill -0 "$(cat /run/virtlogd.pid)" 2>/dev/null || virtlogd -d
  [ -f /run/libvirtd.pid ] && kill -0 "$(cat /run/libvirtd.pid)" 2>/dev/null || libvirtd -d
  for _ in $(seq 1 60); do runuser -u nova -- virsh -c qemu:///system version >/dev/null 2>&1 && break; sleep 0.5; done
}

start_sshd() {
  log "sshd on 127.0.0.1:22"
  mkdir -p /run/sshd /root/.ssh
  [ -f /root/.ssh/testbed_id ] || ssh-keygen -q -t ed25519 -N '' -C openstack-testbed -f /root/.ssh/testbed_id
  grep -qF "$(cut -d' ' -f2 /root/.ssh/testbed_id.pub)" /root/.ssh/authorized_keys 2>/dev/null || cat /root/.ssh/testbed_id.pub >> /root/.ssh/authorized_keys
  chmod 600 /root/.ssh/authorized_keys
  [ -f $RUN/sshd.pid ] && kill -0 "$(cat $RUN/sshd.pid)" 2>/dev/null || \
    /usr/sbin/sshd -o ListenAddress=127.0.0.1 -o Port=22 -o PermitRootLogin=prohibit-password -o PidFile=$RUN/sshd.pid -E /var/log/sshd-testbed.log
}

