package dev.wsdebug.capture.store;

import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/** Opening SQLite files and turning its exceptions into sentences. */
final class Db {
    private Db() {
    }

    static Connection open(Path file, boolean readOnly) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(readOnly);
        config.setBusyTimeout(5000);
        // the driver would otherwise prepare "SELECT last_insert_rowid()" after every insert
        config.setGetGeneratedKeys(false);
        return config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }

    /**
     * Opens a database file that nobody writes as it is, read-only and without locking: SQLite
     * neither looks for nor creates a {@code -wal} or {@code -shm} file beside it.
     */
    static Connection openImmutable(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setGetGeneratedKeys(false);
        return config.createConnection("jdbc:sqlite:" + file.toAbsolutePath().toUri() + "?immutable=1");
    }

    /** SQLite's own words, without the driver's "[SQLITE_X] ..." decoration, as a sentence. */
    static String sentence(SQLException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof SQLiteException s && s.getResultCode() != null && s.getResultCode() != SQLiteErrorCode.UNKNOWN_ERROR) {
            String d = s.getResultCode().message;
            int paren = m.lastIndexOf('(');
            if (paren >= 0 && m.endsWith(")")) {
                d = m.substring(paren + 1, m.length() - 1);
            }
            m = d;
        }
        m = m.strip();
        return m.endsWith(".") ? m : m + ".";
    }

    static boolean is(SQLException e, SQLiteErrorCode code) {
        return e instanceof SQLiteException s && s.getResultCode() != null
                && (s.getResultCode() == code || (s.getResultCode().code & 0xFF) == code.code);
    }

    static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // nothing more to do with a connection that will not close
            }
        }
    }
}
