package dev.lockscope.dashboard.imports;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What could not be read while importing files: each message names the file and the line or record. Bounded
 * per file (a corrupted file must not produce a million messages); the rest are counted in one closing line.
 * Not thread-safe: one import fills it.
 */
public final class Problems {
    static final int MAX_PER_FILE = 20;

    private final List<String> messages = new ArrayList<>();
    private final Map<String, Integer> perFile = new HashMap<>();

    /** Records that {@code what} could not be read in {@code file} at {@code where} ("line 12", "event 40"). */
    public void add(String file, String where, String what) {
        int n = perFile.merge(file, 1, Integer::sum);
        if (n <= MAX_PER_FILE) {
            messages.add(file + (where == null ? "" : ", " + where) + ": " + what);
        }
    }

    /** All messages, with one line per file saying how many more were not listed. */
    public List<String> messages() {
        List<String> out = new ArrayList<>(messages);
        perFile.forEach((file, n) -> {
            if (n > MAX_PER_FILE) {
                out.add(file + ": " + (n - MAX_PER_FILE) + " more problems not listed");
            }
        });
        return out;
    }

    public boolean isEmpty() {
        return messages.isEmpty();
    }
}
