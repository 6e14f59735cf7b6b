import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A Java TLS server on keystores hapki wrote, for another TLS stack (openssl s_client) to connect
 * to: its identity from a key store, its clients' CAs from a trust store, client authentication
 * required. It binds a loopback port of the OS's choosing, prints "PORT <n>", serves one
 * connection (reads a line, answers "HELLO <protocol> <client subject>") and exits.
 *   TlsServer <keystore> <type> <pass> <truststore> <type> <pass> <protocol>
 */
public class TlsServer {
  static KeyStore load(String file, String type, String pass) throws Exception {
    KeyStore ks = KeyStore.getInstance(type);
    try (InputStream in = new FileInputStream(file)) {
      ks.load(in, pass.isEmpty() ? null : pass.toCharArray());
    }
    return ks;
  }

  public static void main(String[] a) throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
    kmf.init(load(a[0], a[1], a[2]), a[2].toCharArray());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(load(a[3], a[4], a[5]));
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    try (SSLServerSocket server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      server.setNeedClientAuth(true);
      server.setEnabledProtocols(new String[] { a[6] });
      server.setSoTimeout(60_000);
      System.out.println("PORT " + server.getLocalPort());
      System.out.flush();
      try (SSLSocket socket = (SSLSocket) server.accept()) {
        socket.setSoTimeout(60_000);
        socket.startHandshake();
        X509Certificate peer = (X509Certificate) socket.getSession().getPeerCertificates()[0];
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        in.readLine();
        OutputStream out = socket.getOutputStream();
        out.write(("HELLO " + socket.getSession().getProtocol() + " " + peer.getSubjectX500Principal().getName() + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        socket.shutdownOutput();
        System.out.println("SERVED " + socket.getSession().getProtocol());
      }
    }
  }
}
