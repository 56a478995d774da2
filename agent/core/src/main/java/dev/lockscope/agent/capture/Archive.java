package dev.lockscope.agent.capture;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Turns a capture's parts directory into the one zip archive a person carries away. */
public final class Archive {
    /** Entries in this order first (the report is what a person opens), then the rest by name. */
    private static final List<String> FIRST = List.of(CaptureFiles.REPORT, CaptureFiles.MANIFEST, CaptureFiles.MESSAGES);

    private Archive() {}

    /**
     * Zips every file of {@code parts} except the capture's own bookkeeping into {@code archive} (written to a
     * temporary name and moved into place, so the archive is never seen half-written), then deletes
     * {@code parts}.
     */
    public static void write(Path parts, Path archive) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(parts)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> !isBookkeeping(parts.relativize(p).toString()))
                    .sorted(Comparator.comparingInt((Path p) -> rank(parts.relativize(p).toString()))
                            .thenComparing(p -> parts.relativize(p).toString()))
                    .toList();
        }
        Path tmp = archive.resolveSibling(archive.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Path f : files) {
                ZipEntry e = new ZipEntry(parts.relativize(f).toString().replace('\\', '/'));
                e.setTime(Files.getLastModifiedTime(f).toMillis());
                zip.putNextEntry(e);
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
        try {
            Files.move(tmp, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, archive, StandardCopyOption.REPLACE_EXISTING);
        }
        deleteTree(parts);
    }

    private static boolean isBookkeeping(String name) {
        return name.equals(CaptureFiles.PROGRESS) || name.equals(CaptureFiles.STOP) || name.endsWith(".tmp");
    }

    private static int rank(String name) {
        int i = FIRST.indexOf(name);
        return i < 0 ? FIRST.size() : i;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
