package dev.tokenbroker.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenSetEventTest {

    private static final List<Class<? extends TokenSetEvent>> EVENTS = List.of(TokenSetLinked.class,
            TokenSetRefreshed.class, TokenRefreshFailed.class, ReauthorizationRequired.class, AccessTokenHandedOut.class,
            TokenSetRevoked.class, TokenSetErased.class);

    @Test
    void everyTokenSetEventIsATopLevelRecord() {
        assertThat(EVENTS).allSatisfy(type -> {
            assertThat(type.isRecord()).as(type.getName()).isTrue();
            assertThat(type.getEnclosingClass()).as(type.getName()).isNull();
        });
    }

    @Test
    void theInterfaceAddsNoPropertyToTheStoredJson() {
        ObjectMapper json = new ObjectMapper().findAndRegisterModules();
        assertThat(EVENTS).allSatisfy(type -> {
            JavaType javaType = json.constructType(type);
            List<String> serialized = json.getSerializationConfig().introspect(javaType).findProperties().stream()
                    .map(BeanPropertyDefinition::getName).sorted().toList();
            List<String> components = Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).sorted()
                    .toList();
            assertThat(serialized).as(type.getSimpleName()).isEqualTo(components);
        });
    }
}
