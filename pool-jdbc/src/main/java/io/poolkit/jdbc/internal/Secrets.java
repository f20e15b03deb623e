package io.poolkit.jdbc.internal;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps credentials out of everything the pool prints: its own messages and logs use redacted
 * descriptions, and a driver failure whose text contains a secret is replaced by a copy with the
 * secret masked before anyone (a log, a timeout's cause, the caller) sees it. Immutable.
 */
public final class Secrets {
    /** What a masked secret reads as. */
    public static final String MASK = "****";

    /** Property names whose values are secrets, as drivers spell them. */
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(password|passwd|pwd|secret|token|passphrase).*");
    /** {@code password=...} (and the like) inside a URL: up to the next separator. */
    private static final Pattern URL_PARAM =
            Pattern.compile("(?i)((?:password|passwd|pwd|secret|token|passphrase)[a-z_.-]*=)[^;&?#]*");
    /** {@code //user:secret@host} */
    private static final Pattern URL_USERINFO = Pattern.compile("(//[^/:@;?]*:)[^@/]*@");
    /** Oracle's {@code jdbc:oracle:thin:user/secret@host} (and {@code oci:}) */
    private static final Pattern URL_ORACLE = Pattern.compile("(?i)(:(?:thin|oci8?):[^/@:;?]*/)[^@]*@");

    private final List<String> values;

    private Secrets(List<String> values) {
        this.values = values;
    }

    /**
     * @param password the password, or null
     * @param url the JDBC URL, or null
     * @param properties driver properties
     * @return the secrets of one data source
     */
    public static Secrets of(String password, String url, Map<String, String> properties) {
        List<String> values = new ArrayList<>();
        add(values, password);
        properties.forEach((k, v) -> {
            if (isSecretKey(k)) {
                add(values, v);
            }
        });
        if (url != null) {
            Matcher m = URL_PARAM.matcher(url);
            while (m.find()) {
                add(values, m.group().substring(m.group(1).length()));
            }
            for (Pattern userInfo : List.of(URL_USERINFO, URL_ORACLE)) {
                Matcher u = userInfo.matcher(url);
                while (u.find()) {
                    String all = u.group();
                    add(values, all.substring(u.group(1).length(), all.length() - 1));
                }
            }
        }
        values.sort((a, b) -> b.length() - a.length()); // longest first, so a secret inside another is masked whole
        return new Secrets(List.copyOf(values));
    }

    private static void add(List<String> values, String secret) {
        // a one- or two-character "secret" would mask half of every message, and protects nothing
        if (secret != null && secret.length() >= 3 && !values.contains(secret)) {
            values.add(secret);
        }
    }

    /** @return whether a property of this name holds a secret */
    public static boolean isSecretKey(String key) {
        return SECRET_KEY.matcher(key).matches();
    }

    /** @return {@code url} with passwords in its parameters and user info masked */
    public static String redactUrl(String url) {
        if (url == null) {
            return null;
        }
        String r = URL_PARAM.matcher(url).replaceAll("$1" + MASK);
        r = URL_ORACLE.matcher(r).replaceAll("$1" + MASK + "@");
        return URL_USERINFO.matcher(r).replaceAll("$1" + MASK + "@");
    }

    /** @return {@code text} with every known secret masked */
    public String redact(String text) {
        if (text == null || values.isEmpty()) {
            return text;
        }
        String r = text;
        for (String v : values) {
            if (r.contains(v)) {
                r = r.replace(v, MASK);
            }
        }
        return r;
    }

    private boolean leaks(Throwable t, int depth) {
        if (t == null || depth > 20) {
            return false;
        }
        String text = t.toString();
        for (String v : values) {
            if (text.contains(v)) {
                return true;
            }
        }
        if (t instanceof SQLException s && s.getNextException() != null && leaks(s.getNextException(), depth + 1)) {
            return true;
        }
        for (Throwable sup : t.getSuppressed()) {
            if (leaks(sup, depth + 1)) {
                return true;
            }
        }
        return t.getCause() != t && leaks(t.getCause(), depth + 1);
    }

    /**
     * @param failure a driver's failure
     * @return {@code failure} itself when no secret appears in it (nor in its causes); otherwise an
     *     {@link SQLException} copy of it, message, SQLState, error code, stack and causes kept,
     *     every secret masked
     */
    public SQLException scrub(SQLException failure) {
        if (values.isEmpty() || !leaks(failure, 0)) {
            return failure;
        }
        return (SQLException) copy(failure, 0);
    }

    /** @see #scrub(SQLException) */
    public Exception scrub(Exception failure) {
        if (values.isEmpty() || !leaks(failure, 0)) {
            return failure;
        }
        return (Exception) copy(failure, 0);
    }

    private Throwable copy(Throwable t, int depth) {
        if (t == null || depth > 20) {
            return null;
        }
        String message = t instanceof SQLException ? redact(t.getMessage())
                : t.getClass().getName() + (t.getMessage() == null ? "" : ": " + redact(t.getMessage()));
        Throwable copy;
        if (t instanceof SQLException s) {
            SQLException c = new SQLException(message + " [" + t.getClass().getName() + ", secrets masked]",
                    s.getSQLState(), s.getErrorCode());
            if (s.getNextException() != null) {
                c.setNextException((SQLException) copy(s.getNextException(), depth + 1));
            }
            copy = c;
        } else {
            copy = new SQLException(message + " [secrets masked]");
        }
        copy.setStackTrace(t.getStackTrace());
        if (t.getCause() != null && t.getCause() != t) {
            copy.initCause(copy(t.getCause(), depth + 1));
        }
        for (Throwable sup : t.getSuppressed()) {
            copy.addSuppressed(copy(sup, depth + 1));
        }
        return copy;
    }
}
