package io.poolkit.jdbc.internal;

import java.util.Locale;
import java.util.Map;

/**
 * HikariCP's names for the options poolkit spells differently: users bring their HikariCP settings
 * along, and an unknown-property error then names poolkit's option for each instead of leaving them
 * to search the list. Only a hint in a message: these names set nothing. Stateless.
 */
final class HikariNames {
    /** HikariCP's name, lower case without separators, to {@code HikariCP's name -> what poolkit has}. */
    private static final Map<String, String> HINTS = Map.of(
            "maximumpoolsize", "maximumPoolSize is maxSize here",
            "minimumidle", "minimumIdle is minIdle here",
            "connectiontimeout", "connectionTimeout is acquireTimeout here",
            "keepalivetime", "keepaliveTime is keepaliveInterval here",
            "leakdetectionthreshold", "leakDetectionThreshold is leakDetection here",
            "poolname", "poolName is name here",
            "registermbeans", "registerMbeans is jmx here",
            "connectiontestquery", "connectionTestQuery has no equivalent: connections are checked with Connection.isValid"
                    + " (validationTimeout, validateAfterIdle)",
            "exceptionoverrideclassname", "exceptionOverrideClassName is fatalErrors here (a FatalErrorClassifier, set in code)");

    private HikariNames() {
    }

    /** @return {@code ": HikariCP's maximumPoolSize is maxSize here"} for a HikariCP name (any spelling), or "" */
    static String hint(String key) {
        String hint = HINTS.get(key.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT));
        return hint == null ? "" : ": HikariCP's " + hint;
    }
}
