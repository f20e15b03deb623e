package io.poolkit.jdbc.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The slf4j backend of this module's tests: every event at every level, TRACE included, is kept
 * (message, arguments formatted, and the full stack trace text of its throwable with causes), so a
 * test can search everything the pool logged; WARN and ERROR also go to stderr.
 */
public final class CapturingLogs implements SLF4JServiceProvider {
    private static final List<String> EVENTS = new ArrayList<>();
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new BasicMDCAdapter();
    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
    private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, CapturingLogger::new);

    /** @return a copy of every event logged so far */
    public static List<String> events() {
        synchronized (EVENTS) {
            return new ArrayList<>(EVENTS);
        }
    }

    /** @return every event logged so far, one text */
    public static String all() {
        return String.join("\n", events());
    }

    /** Forgets the events logged so far. */
    public static void clear() {
        synchronized (EVENTS) {
            EVENTS.clear();
        }
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
    }

    private static final class CapturingLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;

        CapturingLogger(String name) {
            this.name = name;
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
            String text = level + " " + name + " - " + MessageFormatter.basicArrayFormat(pattern, args);
            if (t != null) {
                StringWriter w = new StringWriter();
                t.printStackTrace(new PrintWriter(w));
                text += "\n" + w;
            }
            synchronized (EVENTS) {
                if (EVENTS.size() < 200_000) {
                    EVENTS.add(text);
                }
            }
            if (level.toInt() >= Level.WARN.toInt()) {
                System.err.println("[" + Thread.currentThread().getName() + "] " + (t == null ? text : text.substring(0, text.indexOf('\n'))
                        + " (" + t + ")"));
            }
        }
    }
}
