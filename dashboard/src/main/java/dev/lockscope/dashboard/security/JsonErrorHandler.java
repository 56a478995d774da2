package dev.lockscope.dashboard.security;

import dev.lockscope.dashboard.jvms.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers by itself, before any route or {@link RequestGuard} runs (a malformed request, a path
 * with an encoded NUL or an ambiguous encoding): JSON like every other error of the API, with the same security
 * headers, instead of Jetty's HTML page without them. Found by {@code HttpApiFuzzTest}.
 */
public final class JsonErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        HttpFields.Mutable headers = response.getHeaders();
        addHeaders(headers);
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        addHeaders(fields);
        return ByteBuffer.wrap(body(status, reason));
    }

    private static void addHeaders(HttpFields.Mutable headers) {
        headers.put(HttpHeader.CONTENT_TYPE, "application/json;charset=utf-8");
        for (Map.Entry<String, String> h : RequestGuard.SECURITY_HEADERS.entrySet()) {
            headers.put(h.getKey(), h.getValue());
        }
    }

    private static byte[] body(int status, String message) {
        String reason = message == null || message.isBlank() ? HttpStatus.getMessage(status) : message;
        return Json.MAPPER.createObjectNode().put("status", status).put("error", reason).toString()
                .getBytes(StandardCharsets.UTF_8);
    }
}
