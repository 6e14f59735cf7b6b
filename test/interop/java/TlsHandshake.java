import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The JDK using keystores hapki wrote, as a Java server does: a key store for its identity and a
 * trust store for its peers, in one TLS handshake with itself over loopback (server on port 0,
 * client authentication required, the client checking the server's name for "localhost").
 *   TlsHandshake <keystore> <type> <pass> <truststore> <type> <pass> <protocol>
 * Prints "OK <protocol> <peer subject>" or fails with the JDK's exception.
 */
public class TlsHandshake {
  static KeyStore load(String file, String type, String pass) throws Exception {
    KeyStore ks = KeyStore.getInstance(type);
    try (InputStream in = new FileInputStream(file)) {
      ks.load(in, pass.toCharArray());
    }
    return ks;
  }

  public static void main(String[] a) throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
    kmf.init(load(a[0], a[1], a[2]), a[2].toCharArray());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(load(a[3], a[4], a[5]));
    SSLContext ctx = SSLContext.getInstance(a[6]);
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (SSLServerSocket server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 1, loopback)) {
      server.setNeedClientAuth(true);
      Exception[] failed = new Exception[1];
      Thread serving = new Thread(() -> {
        try (SSLSocket s = (SSLSocket) server.accept()) {
          s.getOutputStream().write(42);
          s.getOutputStream().flush();
          s.getInputStream().read();
        } catch (Exception e) {
          failed[0] = e;
        }
      });
      serving.start();
      try (SSLSocket client = (SSLSocket) ctx.getSocketFactory().createSocket("localhost", server.getLocalPort())) {
        SSLParameters params = client.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        client.setSSLParameters(params);
        if (client.getInputStream().read() != 42) throw new IllegalStateException("no data");
        client.getOutputStream().write(1);
        client.getOutputStream().flush();
        X509Certificate peer = (X509Certificate) client.getSession().getPeerCertificates()[0];
        serving.join(30_000);
        if (failed[0] != null) throw failed[0];
        System.out.println("OK " + client.getSession().getProtocol() + " " + peer.getSubjectX500Principal().getName());
      }
    }
  }
}
