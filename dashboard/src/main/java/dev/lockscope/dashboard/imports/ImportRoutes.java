package dev.lockscope.dashboard.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.RouteGroup;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.jvms.JvmSession;
import dev.lockscope.dashboard.threads.ThreadCaptures;
import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code POST /api/imports}: thread dumps and JFR recordings uploaded by the browser become a read-only JVM in
 * the list, with the same findings and views as a live one. Uploads only: no endpoint reads a path on the
 * dashboard's machine (anyone who can reach the dashboard could otherwise make it read any file it can).
 * Body: {@code {"files": [{"name": "dump.txt", "data": "<base64>"}]}}; answer: {@code {id, name, problems}}.
 */
public final class ImportRoutes implements RouteGroup {
    /** The whole request: a few recordings of a minute or two, base64-encoded. */
    static final long MAX_BODY_BYTES = 48L * 1024 * 1024;

    private final JvmRegistry registry;
    private final ThreadCaptures captures;
    private final AtomicLong ids = new AtomicLong();

    public ImportRoutes(JvmRegistry registry, ThreadCaptures captures) {
        this.registry = registry;
        this.captures = captures;
    }

    @Override
    public void addRoutes(RoutesConfig r) {
        r.post("/api/imports", this::importFiles);
    }

    private void importFiles(Context ctx) throws IOException {
        JsonNode body = readBody(ctx);
        JsonNode files = body.path("files");
        if (!files.isArray() || files.isEmpty()) {
            throw new BadRequestResponse("send {\"files\": [{\"name\": …, \"data\": <base64>}]} with at least one file");
        }
        Path dir = Files.createTempDirectory("lockscope-import");
        try {
            List<ImportedJvm.Input> inputs = new ArrayList<>();
            int n = 0;
            for (JsonNode f : files) {
                String name = f.path("name").asText("file " + (n + 1));
                byte[] bytes;
                try {
                    bytes = Base64.getDecoder().decode(f.path("data").asText(""));
                } catch (IllegalArgumentException e) {
                    throw new BadRequestResponse(name + ": data is not base64");
                }
                // The temporary file's name is ours; the user's name is only shown.
                Path p = dir.resolve("upload-" + (n++));
                Files.write(p, bytes);
                inputs.add(new ImportedJvm.Input(name, p));
            }
            ImportedJvm imported = ImportedJvm.read(inputs);
            ObjectNode out = Json.MAPPER.createObjectNode();
            ArrayNode problems = out.putArray("problems");
            imported.problems().forEach(problems::add);
            if (imported.isEmpty()) {
                out.put("status", 400).put("error", "nothing readable in " + String.join(", ", imported.files()));
                ctx.status(HttpStatus.BAD_REQUEST).json(out);
                return;
            }
            JvmSession s = imported.loadInto(registry, captures, "import-" + ids.incrementAndGet());
            out.put("id", s.id()).put("name", s.identity().path("name").asText());
            ctx.status(HttpStatus.CREATED).json(out);
        } finally {
            deleteAll(dir);
        }
    }

    private static JsonNode readBody(Context ctx) throws IOException {
        long declared = ctx.contentLength();
        if (declared > MAX_BODY_BYTES) {
            throw new BadRequestResponse("upload of " + declared + " bytes is larger than " + MAX_BODY_BYTES
                    + "; use java -jar lockscope-dashboard.jar report <files> -o report.html for bigger files");
        }
        try (InputStream in = ctx.bodyInputStream()) {
            byte[] bytes = in.readNBytes((int) MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new BadRequestResponse("upload larger than " + MAX_BODY_BYTES + " bytes");
            }
            return Json.MAPPER.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new BadRequestResponse("the upload is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static void deleteAll(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // A temp file left behind is not worth failing the import for.
        }
    }
}
