package io.poolkit.jdbc.internal;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;

/**
 * The message of a start that could not open its first connection, fitted to what failed: refused
 * credentials name the user (never the password), a refused connection names the host and port,
 * a connection that opened but could not be set up names the setting, and only failures that
 * waiting could cure suggest starting anyway. Stateless.
 */
public final class StartFailure {
    /** How to start while the database is away, in the words of each way to configure the pool. */
    static final String START_ANYWAY = "initializationFailTimeout=forever (in the builder initializationFailTimeout(Pool.FOREVER))"
            + " starts the pool anyway and keeps trying in the background";

    private StartFailure() {
    }

    /**
     * @param name the pool's name
     * @param settings where connections come from
     * @param description {@code settings} without secrets, as the pool prints it
     * @param cause the driver's error, secrets already masked
     * @return the start failure's message
     */
    public static String explain(String name, JdbcSettings settings, String description, Throwable cause) {
        String head = name + " - could not open a connection to " + description + " at start (" + cause + "); ";
        String state = sqlState(cause);
        ConnectionSetupException setUp = find(cause, ConnectionSetupException.class);
        if (setUp != null) {
            return head + "the connection opened, but " + setUp.what + " failed" + (state != null ? " (SQLState " + state + ")" : "")
                    + (setUp.what.endsWith("connectionInitSql") ? ": fix the SQL" : ": check that setting") + "; waiting would not help";
        }
        if (state != null && state.startsWith("28")) {
            return head + "the database refused the credentials" + (settings.username != null ? " for user " + settings.username : "")
                    + " (SQLState " + state + "): check the username and the password";
        }
        if ("3D000".equals(state)) {
            return head + "the database named in the URL does not exist there (SQLState 3D000): check the URL";
        }
        String where = hostAndPort(settings.url);
        if (find(cause, UnknownHostException.class) != null) {
            return head + "the host " + (where != null ? "in " + where + " " : "") + "is unknown here: check the host in the URL";
        }
        if (find(cause, ConnectException.class) != null) {
            return head + "nothing accepted the connection" + (where != null ? " at " + where : "") + ": is the database running"
                    + " there, and are the host and port right? " + START_ANYWAY;
        }
        if (find(cause, SocketTimeoutException.class) != null) {
            return head + "no answer" + (where != null ? " from " + where : "") + " in time: is a firewall dropping the packets, or"
                    + " the server overloaded? " + START_ANYWAY;
        }
        return head + "is the database up and reachable from here? " + START_ANYWAY;
    }

    /** @return the first SQLState along the causes, or null */
    private static String sqlState(Throwable t) {
        for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                return s.getSQLState();
            }
        }
        return null;
    }

    /** @return the first {@code type} along the causes, or null */
    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /**
     * @return the host and port of a URL of the {@code jdbc:sub://host:port/...} form (several for a
     *     list of hosts), without any user information; null for other forms
     */
    static String hostAndPort(String url) {
        if (url == null) {
            return null;
        }
        int start = url.indexOf("//");
        if (start < 0) {
            return null;
        }
        start += 2;
        int end = start;
        while (end < url.length() && "/?;".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        String authority = url.substring(start, end);
        authority = authority.substring(authority.lastIndexOf('@') + 1);
        return authority.isEmpty() ? null : authority;
    }
}
