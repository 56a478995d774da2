package dev.lockscope.dashboard.jvms;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.lockscope.protocol.Protocol;

/** The dashboard's one Jackson mapper, with parsing limits so hostile agent frames cannot exhaust memory. */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64)
                .maxStringLength(Protocol.MAX_FRAME_BYTES)
                .maxNumberLength(64)
                .build());
    }

    private Json() {}
}
