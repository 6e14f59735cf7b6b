/** Where `hapki lab` puts each thing, relative to the lab directory, and what it calls it. */
export const LAB_LAYOUT = {
  ca: { keystore: 'ca/ca.p12', secret: 'secrets/ca.pass', subject: 'CN=Example Lab Root CA,O=Example' },
  msas1: { keystore: 'gateways/msas1/gateway.jks', secret: 'secrets/gateway.pass', alias: 'server', subject: 'CN=msas1.example.com' },
  msas2: { keystore: 'gateways/msas2/gateway.jks', secret: 'secrets/gateway.pass', alias: 'server', subject: 'CN=msas2.example.com' },
  admin: { keystore: 'admin/admin.p12', truststore: 'admin/truststore.p12', secret: 'secrets/replication.pass', alias: 'admin', subject: 'CN=admin.example.com' },
  standby1: { keystore: 'standby1/standby1.p12', truststore: 'standby1/truststore.p12', secret: 'secrets/replication.pass', alias: 'standby1', subject: 'CN=standby1.example.com' },
  standby2: { keystore: 'standby2/standby2.p12', truststore: 'standby2/truststore.p12', secret: 'secrets/replication.pass', alias: 'standby2', subject: 'CN=standby2.example.com' },
  token: { keystore: 'token/token.p12', secret: 'secrets/token.pass' },
} as const;

export const LAB_LOAD_BALANCER = 'lbrhost.example.com';

/** The lab's cluster file: every section, with comments a new user can follow. */
export function labClusterYaml(): string {
  const L = LAB_LAYOUT;
  return `# A sample HA gateway cluster made by \`hapki lab\`. Paths are relative to this file;
# passwords are sources: file:PATH (first line), env:NAME, or pass:TEXT (warns).
# Try: hapki plan cluster.yaml, then hapki apply cluster.yaml (twice: the second changes nothing).

ca:
  keystore: ${L.ca.keystore}
  alias: ca
  password: file:${L.ca.secret}
  # used only when the CA keystore is absent: apply then creates it
  create: { subject: "${L.ca.subject}", kty: rsa, days: 3650 }

loadBalancer:
  # every gateway instance's certificate must also carry these names
  names: [${LAB_LOAD_BALANCER}]

gateway:
  name: msas
  instances:
    - name: msas1
      keystore: ${L.msas1.keystore}
      password: file:${L.msas1.secret}
      alias: ${L.msas1.alias}
      hostnames: [msas1.example.com]
    - name: msas2
      keystore: ${L.msas2.keystore}
      password: file:${L.msas2.secret}
      alias: ${L.msas2.alias}
      hostnames: [msas2.example.com]

replication:
  # direct: each node trusts its peers' own certificates; ca: the CA that issued them
  mode: direct
  master:
    name: admin
    keystore: ${L.admin.keystore}
    password: file:${L.admin.secret}
    alias: ${L.admin.alias}
    hostnames: [admin.example.com]
    truststore: ${L.admin.truststore}
  slaves:
    - name: standby1
      keystore: ${L.standby1.keystore}
      password: file:${L.standby1.secret}
      alias: ${L.standby1.alias}
      hostnames: [standby1.example.com]
      truststore: ${L.standby1.truststore}
    - name: standby2
      keystore: ${L.standby2.keystore}
      password: file:${L.standby2.secret}
      alias: ${L.standby2.alias}
      hostnames: [standby2.example.com]
      truststore: ${L.standby2.truststore}

token:
  # the shared secure-token certificate: issued into its home keystore by the CA when absent,
  # then the same key and certificate go to every gateway instance
  alias: token
  subject: "CN=msas-token,O=Example"
  days: 730
  keystore: ${L.token.keystore}
  password: file:${L.token.secret}

renewal:
  window: 30d   # re-issue a certificate that ends within this
  days: 397     # how long a new certificate lasts

audit:
  warn: 30d
  crit: 7d
`;
}
