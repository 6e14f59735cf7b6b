import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hapki, ONE_LINE_ERROR } from '../helpers/cli.js';
import { openssl, tempDir, tool } from '../helpers/tools.js';

/**
 * A leaf whose extendedKeyUsage allows TLS but whose keyUsage has none of the bits a TLS handshake
 * uses its key under (cRLSign or nonRepudiation alone, dataEncipherment for a client), or whose
 * Netscape certificate type lacks SSL server: `openssl verify -purpose sslserver` refuses it
 * ("unsuitable certificate purpose") and so does the JDK's TrustManager ("KeyUsage does not allow
 * digital signatures", "Netscape cert type does not permit use for SSL server"). hapki verify
 * --purpose accepted all of them. Chains made by openssl; openssl and Java judge every case.
 */
const dir = tempDir('hapki-leaf-tls-usage-');
const at = (name: string): string => join(dir, name);

const LEAVES: Record<string, string> = {
  ok: 'keyUsage=critical,digitalSignature,keyEncipherment',
  kex: 'keyUsage=critical,keyEncipherment',
  crlsign: 'keyUsage=critical,cRLSign',
  nonrep: 'keyUsage=critical,nonRepudiation',
  dataenc: 'keyUsage=critical,dataEncipherment',
  nsclient: 'keyUsage=critical,digitalSignature,keyEncipherment\nnsCertType=client',
  nsserver: 'keyUsage=critical,digitalSignature,keyEncipherment\nnsCertType=server',
};

const JAVA = `import java.io.FileInputStream;
import java.security.KeyStore;
import java.security.cert.*;
import javax.net.ssl.*;
public class Judge {
  public static void main(String[] a) throws Exception {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("root", cf.generateCertificate(new FileInputStream(a[0])));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(ks);
    X509TrustManager tm = (X509TrustManager) tmf.getTrustManagers()[0];
    for (int i = 1; i < a.length; i += 2) {
      X509Certificate[] chain = { (X509Certificate) cf.generateCertificate(new FileInputStream(a[i + 1])), (X509Certificate) cf.generateCertificate(new FileInputStream(a[0].replace("root", "int"))) };
      try {
        if (a[i].equals("server")) tm.checkServerTrusted(chain, "ECDHE_RSA"); else tm.checkClientTrusted(chain, "RSA");
        System.out.println("OK");
      } catch (Exception e) {
        System.out.println("FAIL");
      }
    }
  }
}
`;

beforeAll(async () => {
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('root.key'), '-out', at('root.pem'), '-subj', '/CN=Usage Root', '-days', '60']);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('int.key'), '-out', at('int.csr'), '-subj', '/CN=Usage Int']);
  writeFileSync(at('int.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  await openssl(['x509', '-req', '-in', at('int.csr'), '-CA', at('root.pem'), '-CAkey', at('root.key'), '-set_serial', '2', '-days', '50', '-extfile', at('int.ext'), '-out', at('int.pem')]);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('leaf.key'), '-out', at('leaf.csr'), '-subj', '/CN=l.example.com']);
  let serial = 10;
  for (const [name, usage] of Object.entries(LEAVES)) {
    writeFileSync(at(`${name}.ext`), `basicConstraints=CA:FALSE\n${usage}\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:l.example.com\n`);
    await openssl(['x509', '-req', '-in', at('leaf.csr'), '-CA', at('int.pem'), '-CAkey', at('int.key'), '-set_serial', String(serial++), '-days', '20', '-extfile', at(`${name}.ext`), '-out', at(`${name}.pem`)]);
  }
  writeFileSync(at('Judge.java'), JAVA);
}, 120_000);

describe('verify --purpose refuses a leaf whose keyUsage or Netscape certificate type is not for that TLS use, as openssl and the JDK do', () => {
  const cases = Object.keys(LEAVES).flatMap((name) => (['server', 'client'] as const).map((purpose) => [name, purpose] as const));

  it('hapki agrees with openssl verify -purpose and with the JDK TrustManager on every leaf and purpose', async () => {
    const java = (await tool('java', [at('Judge.java'), at('root.pem'), ...cases.flatMap(([name, purpose]) => [purpose, at(`${name}.pem`)])])).stdout.trim().split('\n');
    expect(java).toHaveLength(cases.length);
    const refusedByBoth: string[] = [];
    for (const [i, [name, purpose]] of cases.entries()) {
      const judged = await tool('openssl', ['verify', '-purpose', purpose === 'server' ? 'sslserver' : 'sslclient', '-CAfile', at('root.pem'), '-untrusted', at('int.pem'), at(`${name}.pem`)]);
      const opensslOk = judged.code === 0;
      const javaOk = java[i] === 'OK';
      const result = await hapki(['verify', at(`${name}.pem`), '--trust', at('root.pem'), '--untrusted', at('int.pem'), '--purpose', purpose]);
      const label = `${name} --purpose ${purpose}: openssl ${opensslOk}, java ${javaOk}, hapki ${result.stdout}${result.stderr}`;
      // where the two agree, hapki agrees with them
      if (opensslOk === javaOk) expect(result.code === 0, label).toBe(opensslOk);
      if (!opensslOk && !javaOk) {
        expect(result.stderr, label).toMatch(ONE_LINE_ERROR('ERR_PURPOSE'));
        refusedByBoth.push(`${name}/${purpose}`);
      }
    }
    // the cases that matter are there: both judges refuse these, and hapki accepted them before
    expect(refusedByBoth).toEqual(expect.arrayContaining(['crlsign/server', 'crlsign/client', 'nonrep/server', 'nonrep/client', 'dataenc/server', 'dataenc/client', 'nsclient/server', 'nsserver/client']));
  }, 120_000);

  it('a leaf whose keyUsage is keyEncipherment alone is a TLS server (RSA key transport), not a TLS client', async () => {
    expect((await hapki(['verify', at('kex.pem'), '--trust', at('root.pem'), '--untrusted', at('int.pem'), '--purpose', 'server'])).code).toBe(0);
    const client = await hapki(['verify', at('kex.pem'), '--trust', at('root.pem'), '--untrusted', at('int.pem'), '--purpose', 'client']);
    expect(client.stderr).toMatch(ONE_LINE_ERROR('ERR_PURPOSE'));
  });

  it('without --purpose the key usage is not judged', async () => {
    expect((await hapki(['verify', at('crlsign.pem'), '--trust', at('root.pem'), '--untrusted', at('int.pem')])).code).toBe(0);
  });
});
