import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.security.KeyStore;
import java.util.Collections;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * What the JDK itself makes of secret keys, for the interop tests: keytool lists secret-key
 * entries without their bytes or algorithm, so this prints them.
 *   make <file> <storetype> <storepass>   one key of every algorithm the JDK's providers generate, and a PBE password entry
 *   dump <file> <storetype> <storepass>   "alias algorithm hexbytes" per secret key, sorted, keys opened with the store password
 */
public class SecretKeys {
  static final String[][] KEYS = {
    {"aes", "AES", "128"}, {"desede", "DESede", "168"}, {"des", "DES", "56"},
    {"hmacsha1", "HmacSHA1", "160"}, {"hmacsha256", "HmacSHA256", "256"}, {"hmacsha384", "HmacSHA384", "384"}, {"hmacsha512", "HmacSHA512", "512"},
    {"arcfour", "ARCFOUR", "128"}, {"blowfish", "Blowfish", "128"}, {"rc2", "RC2", "128"}, {"chacha20", "ChaCha20", "256"},
    {"hmacsha224", "HmacSHA224", "224"}, {"hmacsha512-224", "HmacSHA512/224", "224"}, {"hmacsha512-256", "HmacSHA512/256", "256"},
    {"hmacsha3-224", "HmacSHA3-224", "224"}, {"hmacsha3-256", "HmacSHA3-256", "256"}, {"hmacsha3-384", "HmacSHA3-384", "384"},
    {"hmacsha3-512", "HmacSHA3-512", "512"}, {"hmacmd5", "HmacMD5", "128"},
  };

  public static void main(String[] args) throws Exception {
    String file = args[1], type = args[2];
    char[] pass = args[3].toCharArray();
    KeyStore.PasswordProtection protection = new KeyStore.PasswordProtection(pass);
    if (args[0].equals("make")) {
      KeyStore ks = KeyStore.getInstance(type);
      ks.load(null, pass);
      for (String[] k : KEYS) {
        KeyGenerator generator = KeyGenerator.getInstance(k[1]);
        generator.init(Integer.parseInt(k[2]));
        ks.setEntry(k[0], new KeyStore.SecretKeyEntry(generator.generateKey()), protection);
      }
      SecretKey pbe = SecretKeyFactory.getInstance("PBE").generateSecret(new PBEKeySpec("s3cret-value".toCharArray()));
      ks.setEntry("pbe", new KeyStore.SecretKeyEntry(pbe), protection);
      try (FileOutputStream out = new FileOutputStream(file)) {
        ks.store(out, pass);
      }
      return;
    }
    KeyStore ks = KeyStore.getInstance(type);
    try (FileInputStream in = new FileInputStream(file)) {
      ks.load(in, pass);
    }
    java.util.List<String> lines = new java.util.ArrayList<>();
    for (String alias : Collections.list(ks.aliases())) {
      if (!ks.isKeyEntry(alias)) continue;
      java.security.Key key = ks.getKey(alias, pass);
      if (!(key instanceof SecretKey)) continue;
      StringBuilder hex = new StringBuilder();
      for (byte b : key.getEncoded()) hex.append(String.format("%02x", b));
      lines.add(alias + " " + key.getAlgorithm() + " " + hex);
    }
    Collections.sort(lines);
    for (String line : lines) System.out.println(line);
  }
}
