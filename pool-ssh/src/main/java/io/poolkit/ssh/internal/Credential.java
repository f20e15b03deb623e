package io.poolkit.ssh.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.login.FailedLoginException;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * How a target authenticates: nothing, a password, a key file (with an optional passphrase) or an
 * in-memory key pair. Holds the secret; its {@code toString()} never shows it, and its
 * {@link #fingerprint()} is an HMAC under a key drawn at random once per process, so the
 * fingerprint identifies the credential inside this process and reveals nothing outside it (no
 * plain hash that a dictionary could reverse).
 */
public abstract sealed class Credential {
    private static final byte[] PROCESS_KEY = new byte[32];

    static {
        new SecureRandom().nextBytes(PROCESS_KEY);
    }

    private final String fingerprint;

    Credential(String kind, byte[] material) {
        this.fingerprint = hmac(kind, material);
        Arrays.fill(material, (byte) 0);
    }

    /** @return "none", "password", "key file" or "key" */
    public abstract String kind();

    /** @return 32 hex digits: the first half of HMAC-SHA256(process key, kind and secret) */
    public final String fingerprint() {
        return fingerprint;
    }

    /**
     * Gives the session what it needs to authenticate.
     *
     * @param session the session about to authenticate
     * @throws IOException when a key file cannot be read
     * @throws GeneralSecurityException when a key cannot be decoded (or its passphrase is wrong)
     */
    public abstract void apply(ClientSession session) throws IOException, GeneralSecurityException;

    /**
     * Why {@link #apply} failed, for an error message: names what is wrong, never a secret nor the
     * exception's own message (which could quote a key file).
     *
     * @param e what {@code apply} threw
     * @return a short diagnosis
     */
    public String whyUnusable(Exception e) {
        return e.getClass().getSimpleName() + "; check the credential";
    }

    @Override
    public final String toString() {
        return kind() + (this instanceof None ? "" : " " + fingerprint.substring(0, 8));
    }

    private static String hmac(String kind, byte[] material) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(PROCESS_KEY, "HmacSHA256"));
            mac.update(kind.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(material);
            return HexFormat.of().formatHex(mac.doFinal(), 0, 16);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    static byte[] utf8(char[] chars) {
        ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        if (b.hasArray()) {
            Arrays.fill(b.array(), (byte) 0);
        }
        return out;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + 1 + b.length);
        System.arraycopy(b, 0, out, a.length + 1, b.length);
        Arrays.fill(b, (byte) 0);
        return out;
    }

    public static Credential none() {
        return None.INSTANCE;
    }

    public static Credential password(char[] password) {
        return new Password(password.clone());
    }

    public static Credential keyFile(Path file, char[] passphrase) {
        return new KeyFile(file.toAbsolutePath().normalize(), passphrase == null ? null : passphrase.clone());
    }

    public static Credential keyPair(KeyPair pair) {
        return new InMemoryKey(pair);
    }

    /** No credential: only for servers that accept "none" (tests). */
    static final class None extends Credential {
        static final None INSTANCE = new None();

        private None() {
            super("none", new byte[0]);
        }

        @Override
        public String kind() {
            return "none";
        }

        @Override
        public void apply(ClientSession session) {
        }
    }

    static final class Password extends Credential {
        private final char[] password;

        Password(char[] password) {
            super("password", utf8(password));
            this.password = password;
        }

        @Override
        public String kind() {
            return "password";
        }

        @Override
        public void apply(ClientSession session) {
            // MINA takes passwords as String only
            session.addPasswordIdentity(new String(password));
        }
    }

    static final class KeyFile extends Credential {
        private final Path file;
        private final char[] passphrase;

        KeyFile(Path file, char[] passphrase) {
            super("key file", concat(file.toString().getBytes(StandardCharsets.UTF_8),
                    passphrase == null ? new byte[0] : utf8(passphrase)));
            this.file = file;
            this.passphrase = passphrase;
        }

        @Override
        public String kind() {
            return "key file";
        }

        Path file() {
            return file;
        }

        @Override
        public void apply(ClientSession session) throws IOException, GeneralSecurityException {
            // read at every connect, so a rotated key file is picked up by new connections
            FilePasswordProvider passwords = passphrase == null ? FilePasswordProvider.EMPTY
                    : FilePasswordProvider.of(new String(passphrase));
            Iterable<KeyPair> pairs;
            try (InputStream in = Files.newInputStream(file)) {
                pairs = SecurityUtils.loadKeyPairIdentities(session, NamedResource.ofName(file.toString()), in, passwords);
            }
            boolean any = false;
            if (pairs != null) {
                for (KeyPair p : pairs) {
                    session.addPublicKeyIdentity(p);
                    any = true;
                }
            }
            if (!any) {
                throw new NoKeyException();
            }
        }

        @Override
        public String whyUnusable(Exception e) {
            String f = "the key file " + file;
            if (e instanceof NoSuchFileException) {
                return f + " does not exist";
            }
            if (e instanceof AccessDeniedException) {
                return f + " cannot be read (permission denied)";
            }
            if (e instanceof NoKeyException) {
                return f + " holds no private key (OpenSSH or PEM format expected; not the .pub file)";
            }
            if (passphrase != null) {
                // a wrong passphrase decrypts to garbage, which fails in whichever way the garbage does
                return "the passphrase given does not open " + f + " (or it is not a private key; " + e.getClass().getSimpleName() + ")";
            }
            if (e instanceof FailedLoginException) {
                return f + " is encrypted and no passphrase was given: use withKey(file, passphrase)";
            }
            return f + " holds no private key that can be read (" + e.getClass().getSimpleName() + ")";
        }

        /** The file was read but holds no key pair. */
        private static final class NoKeyException extends GeneralSecurityException {
            private static final long serialVersionUID = 1L;

            NoKeyException() {
                super("no key pair found");
            }
        }
    }

    static final class InMemoryKey extends Credential {
        private final KeyPair pair;

        InMemoryKey(KeyPair pair) {
            super("key", concat(pair.getPublic().getEncoded(), new byte[0]));
            this.pair = pair;
        }

        @Override
        public String kind() {
            return "key";
        }

        @Override
        public void apply(ClientSession session) {
            session.addPublicKeyIdentity(pair);
        }
    }
}
