package io.poolkit.jdbc.internal;

import java.sql.SQLException;

/** A statement proxy its connection closes on return when the caller left it open. */
interface TrackedStatement {
    /** Closes the driver's statement (and with it its result sets), without untracking. */
    void closeForReturn() throws SQLException;
}
