/**
 * Vocabulary for generated ticket text, most frequent first: the generator draws words with a
 * Zipf distribution over this order, so the function words at the top are in nearly every ticket
 * and the operations vocabulary further down is progressively rarer, as in real ticket text.
 * Every word has at least 3 letters (shorter words are not indexed by InnoDB and dropped by the
 * query side, see src/search/full-text.ts).
 */
export const VOCABULARY: readonly string[] = `
the and for that this with not are was but have from you can will all they there has had been
what when which would could should after before again still also now then just some any more
only into out about our their them were this one two three here see check looks seems like need
needs please thanks thank done did does yes because while since until over under same other
each every both few many most much very well back down off again first last next new old
server database error issue problem request change update deploy release restart logs user
users access login password account service services cluster node nodes disk memory network
timeout latency alert alerts monitoring backup restore config configuration version upgrade
patch fix fixed broken failed failing works working running stopped started slow fast queue
job jobs worker workers cron schedule migration schema index query queries table tables lock
locks connection connections pool replica primary master standby failover dns certificate
expired renew firewall port ports proxy load balancer traffic bandwidth packet packets loss
storage volume volumes snapshot snapshots quota limit limits usage cpu ram swap kernel reboot
upgrade rollback production staging testing development environment customer customers team
support ticket tickets monday tuesday wednesday thursday friday weekend morning evening night
today tomorrow yesterday week month hour hours minutes seconds window maintenance planned
outage incident postmortem root cause impact severity priority urgent escalate escalated
vendor contract license invoice budget approval approved rejected review reviewed merge branch
build pipeline container containers image images registry kubernetes pod pods namespace helm
chart ingress nginx apache postgres mysql mariadb redis kafka rabbitmq elasticsearch mongodb
grafana prometheus dashboard metrics graph spike drop increase decrease threshold warning
critical info debug trace stack exception crash crashed panic segfault core dump heap leak
garbage collector thread threads process processes signal killed oom killer cgroup systemd
unit journal syslog rotate rotation archive retention compliance audit security vulnerability
scan scanner cve patching hardening encryption tls ssl key keys secret secrets vault token
tokens session sessions cookie cache caching cdn edge origin header headers response status
code codes redirect http https api endpoint endpoints client clients sdk library dependency
dependencies package packages mirror repository git commit tag tags ansible terraform puppet
playbook inventory host hosts hostname address subnet vlan route routing gateway switch router
cable rack datacenter power cooling ups generator hardware firmware bios raid controller drive
drives ssd nvme sata replace replaced replacement spare warranty shipment delivery order laptop
desktop printer phone mobile email mail smtp relay spam bounce mailbox calendar meeting invite
wiki documentation runbook procedure checklist handover oncall pager rotation shift manager
owner stakeholder requester reporter assignee watcher feedback question answer clarify confirm
confirmed reproduce reproduced intermittent random sporadic consistent permanent temporary
workaround mitigation resolved closed reopened duplicate invalid blocked waiting pending
progress estimate deadline delay delayed overdue soon later asap eta sync async batch import
export report reports csv json xml yaml parser format encoding utf timezone clock ntp drift
leap daylight saving locale language translation frontend backend browser chrome firefox
safari javascript typescript python java golang ruby php rust compiler runtime interpreter
benchmark performance throughput capacity scaling autoscaling replicas shard shards sharding
partition partitions vacuum analyze optimize reindex deadlock transaction transactions commit
isolation consistency replication lag binlog wal checkpoint fsync flush buffer buffers page
pages cursor pagination filter search fulltext ranking relevance
`.split(/\s+/).filter((w, i, all) => w.length >= 3 && all.indexOf(w) === i);
