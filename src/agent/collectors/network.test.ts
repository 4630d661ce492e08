import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture, readPage } from '../fixture-tree.js';
import { createNodeCollector } from '../index.js';

test('network collectors: netdev exclusion, netstat/snmp6 names, sockstat mem_bytes, softnet, udp queues, arp', async () => {
  const fx = fixture({
    'proc/net/dev':
      'Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n    lo:   100  1 0 0 0 0 0 0 100 1 0 0 0 0 0 0\n  eth0: 482260451 12094 1 2 3 4 5 6 820632 7874 7 8 9 10 11 12\n',
    'sys/class/net/eth0/statistics/rx_nohandler': '13\n',
    'proc/net/netstat': 'TcpExt: SyncookiesSent ListenDrops TCPTimeouts Other\nTcpExt: 1 2 3 4\nIpExt: InOctets OutOctets\nIpExt: 1000 2000\n',
    'proc/net/snmp': 'Tcp: ActiveOpens CurrEstab MaxConn\nTcp: 10 3 -1\nUdp: InDatagrams NoPorts\nUdp: 5 6\n',
    'proc/net/snmp6': 'Ip6InOctets                      128\nUdp6InDatagrams 9\nUdpLite6InErrors 0\nIcmp6InMsgs 1\n',
    'proc/net/sockstat': 'sockets: used 24\nTCP: inuse 5 orphan 0 tw 1 alloc 5 mem 259\nUDP: inuse 0 mem 2\nFRAG: inuse 0 memory 0\n',
    'proc/net/sockstat6': 'TCP6: inuse 3\nUDP6: inuse 1\n',
    'proc/net/softnet_stat': '00000014 00000000 00000001 00000000\n0000240b 00000002 00000001 00000000\n',
    'proc/net/udp': '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000:0044 00000000:0000 07 00000010:00000200 00:00000000 00000000     0        0 1 2\n   1: 00000000:0045 00000000:0000 07 00000001:00000002 00:00000000 00000000     0        0 1 2\n',
    'proc/net/arp': 'IP address       HW type     Flags       HW address            Mask     Device\n10.0.0.1 0x1 0x2 aa:bb:cc:dd:ee:ff * eth0\n10.0.0.2 0x1 0x2 aa:bb:cc:dd:ee:00 * eth0\n10.1.0.1 0x1 0x2 aa:bb:cc:dd:ee:01 * eth1\n',
  });
  try {
    const p = readPage(await createNodeCollector({ ...fx.opts, collectors: ['netdev', 'netstat', 'sockstat', 'softnet', 'udp_queues', 'arp'] }).render());
    assert.deepEqual([...p.series('node_network_receive_bytes_total').keys()], ['device=eth0']);
    assert.equal(p.value('node_network_receive_bytes_total', { device: 'eth0' }), 482260451);
    assert.equal(p.value('node_network_transmit_colls_total', { device: 'eth0' }), 10);
    assert.equal(p.value('node_network_transmit_carrier_total', { device: 'eth0' }), 11);
    assert.equal(p.value('node_network_receive_nohandler_total', { device: 'eth0' }), 13);
    const inc = readPage(await createNodeCollector({ ...fx.opts, collectors: ['netdev'], netdevDeviceInclude: '^lo$' }).render());
    assert.deepEqual([...inc.series('node_network_receive_bytes_total').keys()], ['device=lo']);
    // No sysfs statistics for lo in this tree: nohandler is 0, as netlink would report it.
    assert.equal(inc.value('node_network_receive_nohandler_total', { device: 'lo' }), 0);
    assert.equal(p.value('node_netstat_TcpExt_SyncookiesSent'), 1);
    assert.equal(p.families.get('node_netstat_TcpExt_Other'), undefined);
    assert.equal(p.value('node_netstat_Tcp_CurrEstab'), 3);
    assert.equal(p.families.get('node_netstat_Tcp_CurrEstab')!.help, 'Statistic TcpCurrEstab.');
    assert.equal(p.families.get('node_netstat_Tcp_CurrEstab')!.type, 'untyped');
    assert.equal(p.value('node_netstat_Ip6_InOctets'), 128);
    assert.equal(p.value('node_netstat_Udp6_InDatagrams'), 9);
    assert.equal(p.value('node_netstat_UdpLite6_InErrors'), 0);
    assert.equal(p.value('node_netstat_Icmp6_InMsgs'), 1);
    assert.equal(p.value('node_sockstat_sockets_used'), 24);
    assert.equal(p.value('node_sockstat_TCP_mem_bytes'), 259 * 4096);
    assert.equal(p.value('node_sockstat_UDP_mem_bytes'), 2 * 4096);
    assert.equal(p.value('node_sockstat_TCP6_inuse'), 3);
    assert.equal(p.value('node_softnet_processed_total', { cpu: '1' }), 0x240b);
    assert.equal(p.value('node_softnet_dropped_total', { cpu: '1' }), 2);
    assert.equal(p.value('node_udp_queues', { ip: 'v4', queue: 'tx' }), 0x11);
    assert.equal(p.value('node_udp_queues', { ip: 'v4', queue: 'rx' }), 0x202);
    assert.equal(p.value('node_udp_queues', { ip: 'v6', queue: 'rx' }), undefined);
    assert.equal(p.value('node_arp_entries', { device: 'eth0' }), 2);
    assert.equal(p.value('node_arp_entries', { device: 'eth1' }), 1);
    const arp = readPage(await createNodeCollector({ ...fx.opts, collectors: ['arp'], arpDeviceExclude: '^eth0$' }).render());
    assert.deepEqual([...arp.series('node_arp_entries').keys()], ['device=eth1']);
  } finally {
    fx.cleanup();
  }
});

test('netclass: numeric and hex attributes, unreadable ones skipped, speed in bytes', async () => {
  const fx = fixture({
    'sys/class/net/eth0/operstate': 'up\n',
    'sys/class/net/eth0/address': '02:fc:00:00:00:01\n',
    'sys/class/net/eth0/broadcast': 'ff:ff:ff:ff:ff:ff\n',
    'sys/class/net/eth0/duplex': 'full\n',
    'sys/class/net/eth0/flags': '0x1003\n',
    'sys/class/net/eth0/dev_id': '0x0\n',
    'sys/class/net/eth0/mtu': '1500\n',
    'sys/class/net/eth0/speed': '1000\n',
    'sys/class/net/tap0/speed': '-1\n',
    'sys/class/net/tap0/operstate': 'unknown\n',
    'sys/class/net/eth0/carrier_changes': '2\n',
    'sys/class/net/bonding_masters': 'bond0\n',
    'sys/class/net/bond0/bonding/slaves': 'eth1 eth2 eth3\n',
    'sys/class/net/bond0/lower_eth1/bonding_slave/mii_status': 'up\n',
    'sys/class/net/bond0/lower_eth2/bonding_slave/mii_status': 'down\n',
    'sys/class/net/bond0/slave_eth3/bonding_slave/mii_status': 'up\n',
  });
  try {
    const p = readPage(await createNodeCollector({ ...fx.opts, collectors: ['netclass', 'bonding'] }).render());
    assert.equal(p.value('node_bonding_slaves', { master: 'bond0' }), 3);
    assert.equal(p.value('node_bonding_active', { master: 'bond0' }), 2);
    assert.equal(p.value('node_network_up', { device: 'eth0' }), 1);
    assert.equal(p.value('node_network_flags', { device: 'eth0' }), 4099);
    assert.equal(p.value('node_network_speed_bytes', { device: 'eth0' }), 125000000);
    assert.equal(p.value('node_network_speed_bytes', { device: 'tap0' }), -125000);
    const ignoring = readPage(await createNodeCollector({ ...fx.opts, collectors: ['netclass'], netclassIgnoreInvalidSpeed: true }).render());
    assert.equal(ignoring.value('node_network_speed_bytes', { device: 'tap0' }), undefined);
    assert.equal(ignoring.value('node_network_speed_bytes', { device: 'eth0' }), 125000000);
    assert.equal(p.value('node_network_mtu_bytes', { device: 'eth0' }), 1500);
    assert.equal(p.families.get('node_network_carrier_changes_total')!.type, 'counter');
    assert.equal(p.value('node_network_info', { address: '02:fc:00:00:00:01', broadcast: 'ff:ff:ff:ff:ff:ff', device: 'eth0', duplex: 'full', ifalias: '', operstate: 'up' }), 1);
    assert.equal(p.families.get('node_network_carrier'), undefined);
    assert.deepEqual([...p.series('node_network_up').keys()].sort(), ['device=bond0', 'device=eth0', 'device=tap0'], 'bonding_masters is a file, not a device');
  } finally {
    fx.cleanup();
  }
});

test('tcpstat (opt-in): connection states and queued bytes over IPv4 and IPv6', async () => {
  const hdr = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  const fx = fixture({
    'proc/net/tcp': hdr + '   0: 00000000:0016 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 1\n   1: 0100007F:0016 0100007F:9C40 01 00000010:00000000 00:00000000 00000000     0        0 2\n',
    'proc/net/tcp6': hdr + '   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3\n   1: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0001 06 00000000:00000000 00:00000000 00000000     0        0 4\n',
  });
  try {
    const p = readPage(await createNodeCollector({ ...fx.opts, collectors: ['tcpstat'] }).render());
    assert.equal(p.value('node_tcp_connection_states', { state: 'listen' }), 2);
    assert.equal(p.value('node_tcp_connection_states', { state: 'established' }), 1);
    assert.equal(p.value('node_tcp_connection_states', { state: 'time_wait' }), 1);
    assert.equal(p.value('node_tcp_connection_states', { state: 'tx_queued_bytes' }), 16);
    assert.equal(p.value('node_tcp_connection_states', { state: 'rx_queued_bytes' }), 2);
    assert.equal(p.value('node_tcp_connection_states', { state: 'syn_sent' }), undefined, 'absent states are not exported');
  } finally {
    fx.cleanup();
  }
});
