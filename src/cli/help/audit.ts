// what `hapki audit --help` shows after the options (the man page is made from it: keep it as it is printed)
export const AUDIT_HELP = `
Without a password, JKS and JCEKS certificates are still read (integrity not checked, noted);
a store that cannot be opened is UNKNOWN and the audit goes on. Nothing is written.
Revocation (--crl, --crl-fetch, --ocsp) is checked as verify checks it, for every certificate whose
issuer is among the audited ones: revoked is CRITICAL (revoked, with reason and time); a CRL or
responder that fails is UNKNOWN (revocation-failed); an unknown status is a WARNING only with
--crl-required or --ocsp-required (revocation-unknown). The network is used only when asked.
ssh:// locations are walked and read over SFTP, all hosts at once; a host that cannot be
reached is an UNKNOWN finding naming it (ERR_SSH_CONNECT, ERR_SSH_HOST_UNKNOWN, ...).

Examples:
  hapki audit /opt/msas --config /etc/hapki/audit.yaml
  hapki audit --cluster cluster.yaml
  hapki audit ssh://root@gw1.example.com/opt/msas ssh://root@gw2.example.com/opt/msas --storepass env:STOREPASS
  hapki audit gw1.p12 gw2.jks --endpoint lbrhost.example.com:8443 --expect-san lbrhost.example.com --storepass env:STOREPASS
  hapki audit /opt/msas --format prometheus --config audit.yaml > /var/lib/node_exporter/audit.prom.$$
  hapki audit /etc/pki/gw --crl /etc/pki/ca/ca.crl
  hapki audit /etc/pki/gw --crl-fetch --ocsp --fetch-timeout 5s --fetch-deadline 30s --format nagios
  hapki audit certs --warn 60d --crit 14d --ignore weak-signature:<sha256> --format json
  hapki audit /opt/msas --format nagios --exclude 'archive' --config /etc/hapki/audit.yaml   # as a Nagios/Icinga check

Exit codes (monitoring-plugin convention; the worst finding wins):
  0  OK        1  WARNING        2  CRITICAL        3  UNKNOWN (only when nothing is worse)
  An audit that could not run (a bad option, date or configuration file) is UNKNOWN too: exit 3,
  with one line "hapki: <message> (<ERR_CODE>)" on stderr.`;
