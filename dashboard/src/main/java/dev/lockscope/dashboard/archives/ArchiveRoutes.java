package dev.lockscope.dashboard.archives;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.dashboard.RouteGroup;
import dev.lockscope.dashboard.jvms.Json;
import dev.lockscope.dashboard.jvms.JvmRegistry;
import dev.lockscope.dashboard.profiles.ProfileService;
import dev.lockscope.dashboard.threads.ThreadCaptures;
import io.javalin.config.RoutesConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import java.util.Base64;

/**
 * {@code POST /api/archives} {@code {"name": "incident.zip", "data": "<base64 of the zip>"}}: opens an incident
 * archive as a read-only JVM (see {@link ArchiveImport}). Answers {@code id} (to open its page), counts of
 * what was loaded ({@code samples}, {@code events}, {@code threadDumps}, {@code profiles}) and {@code problems}.
 * The archive arrives in the request body (JSON, like every request that changes something here): the
 * dashboard never reads a path it is given.
 */
public final class ArchiveRoutes implements RouteGroup {
    /** Largest request accepted by this route (base64 makes the archive a third larger). */
    public static final long MAX_REQUEST_BYTES = 96L * 1024 * 1024;
    private static final int MAX_NAME = 200;

    private final JvmRegistry registry;
    private final ThreadCaptures captures;
    private final ProfileService profiles;

    public ArchiveRoutes(JvmRegistry registry, ThreadCaptures captures, ProfileService profiles) {
        this.registry = registry;
        this.captures = captures;
        this.profiles = profiles;
    }

    @Override
    public void addRoutes(RoutesConfig r) {
        r.post("/api/archives", this::open);
    }

    private void open(Context ctx) throws Exception {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(ctx.bodyAsBytes());
        } catch (java.io.IOException e) {
            throw new BadRequestResponse("the body must be JSON: {\"name\": \"incident.zip\", \"data\": \"<base64>\"}");
        }
        String name = body.path("name").asText("archive.zip");
        name = name.isBlank() ? "archive.zip" : name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name;
        byte[] zip;
        try {
            zip = Base64.getDecoder().decode(body.path("data").asText(""));
        } catch (IllegalArgumentException e) {
            throw new BadRequestResponse("data must be the archive in base64");
        }
        if (zip.length == 0) {
            throw new BadRequestResponse("data is empty: send the archive in base64");
        }
        ArchiveImport.Loaded l = ArchiveImport.load(name, zip, registry, captures, profiles);
        ObjectNode o = Json.MAPPER.createObjectNode().put("id", l.session().id()).put("name", name)
                .put("alreadyLoaded", l.alreadyLoaded()).put("samples", l.samples()).put("events", l.events())
                .put("threadDumps", l.threadDumps()).put("profiles", l.profiles());
        var problems = o.putArray("problems");
        l.problems().forEach(problems::add);
        ctx.status(l.alreadyLoaded() ? 200 : 201).json(o);
    }
}
