package dev.tokenbroker.api.admin;

import dev.tokenbroker.api.problem.IdentifierPatterns;
import dev.tokenbroker.api.issuer.ApiClient;
import dev.tokenbroker.api.issuer.ApiClientSecrets;
import dev.tokenbroker.api.issuer.ApiClientStore;
import dev.tokenbroker.api.issuer.ApiScope;
import dev.tokenbroker.api.issuer.SigningKeyRing;
import dev.tokenbroker.api.issuer.SigningKeyStore;
import dev.tokenbroker.api.problem.ApiProblemException;
import dev.tokenbroker.api.problem.ProblemType;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Manages API clients (scope {@code admin}, enforced by the security chain): registrations,
 * secrets (shown once, stored hashed; several may be active for rotation) and signing keys.
 */
@RestController
@RequestMapping(path = "/v1/admin", produces = MediaType.APPLICATION_JSON_VALUE)
final class AdminClientController {

    private final ApiClientStore store;
    private final ApiClientSecrets secrets;
    private final SigningKeyStore signingKeys;
    private final SigningKeyRing keyRing;
    private final Clock clock;

    AdminClientController(ApiClientStore store, ApiClientSecrets secrets, SigningKeyStore signingKeys,
                          SigningKeyRing keyRing, Clock clock) {
        this.store = store;
        this.secrets = secrets;
        this.signingKeys = signingKeys;
        this.keyRing = keyRing;
        this.clock = clock;
    }

    record ClientRequest(
            @NotNull @Pattern(regexp = IdentifierPatterns.CLIENT_ID) String clientId,
            @Size(max = 200) String displayName,
            @NotNull @Size(max = 4) List<@NotNull String> scopes,
            @NotNull @Size(max = 100) List<@NotNull @Pattern(regexp = "[A-Za-z0-9._-]{1,64}|\\*") String> allowedConnectors,
            @NotNull @Size(max = 50) List<@NotNull @Size(max = 2000) String> allowedReturnUrls) {
    }

    record SecretRequest(Instant expiresAt) {
    }

    record SecretView(String secretId, Instant createdAt, Instant expiresAt) {
    }

    record ClientView(String clientId, String displayName, Set<String> scopes, Set<String> allowedConnectors,
                      Set<URI> allowedReturnUrls, boolean disabled, List<SecretView> secrets) {
    }

    record CreatedClient(ClientView client, ApiClientSecrets.IssuedSecret secret) {
    }

    @GetMapping("/clients")
    List<ClientView> list() {
        return store.findAll().stream().map(this::view).toList();
    }

    @GetMapping("/clients/{clientId}")
    ClientView get(@PathVariable @Pattern(regexp = IdentifierPatterns.CLIENT_ID) String clientId) {
        return view(existing(clientId));
    }

    @PostMapping(path = "/clients", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<CreatedClient> create(@Valid @RequestBody ClientRequest request) {
        if (store.find(request.clientId()).isPresent()) {
            throw new ApiProblemException(ProblemType.INVALID_REQUEST, "A client with this id exists");
        }
        ApiClient client = store.save(toClient(request, clock.instant()));
        ApiClientSecrets.IssuedSecret secret = secrets.issue(client.clientId(), null);
        return ResponseEntity.status(HttpStatus.CREATED).body(new CreatedClient(view(client), secret));
    }

    @PutMapping(path = "/clients/{clientId}", consumes = MediaType.APPLICATION_JSON_VALUE)
    ClientView update(@PathVariable @Pattern(regexp = IdentifierPatterns.CLIENT_ID) String clientId, @Valid @RequestBody ClientRequest request) {
        ApiClient existing = existing(clientId);
        if (!clientId.equals(request.clientId())) {
            throw new ApiProblemException(ProblemType.INVALID_REQUEST, "clientId in the body differs from the path");
        }
        return view(store.save(toClient(request, existing.createdAt())));
    }

    @DeleteMapping("/clients/{clientId}")
    ResponseEntity<Void> delete(@PathVariable @Pattern(regexp = IdentifierPatterns.CLIENT_ID) String clientId) {
        if (!store.delete(clientId)) {
            throw new ApiProblemException(ProblemType.NOT_FOUND, "No such client");
        }
        return ResponseEntity.noContent().build();
    }

    @PostMapping(path = "/clients/{clientId}/secrets", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ApiClientSecrets.IssuedSecret> addSecret(@PathVariable @Pattern(regexp = IdentifierPatterns.CLIENT_ID) String clientId,
                                                            @RequestBody SecretRequest request) {
        existing(clientId);
        if (request.expiresAt() != null && !request.expiresAt().isAfter(clock.instant())) {
            throw new ApiProblemException(ProblemType.INVALID_REQUEST, "expiresAt must be in the future");
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(secrets.issue(clientId, request.expiresAt()));
    }

    @DeleteMapping("/clients/{clientId}/secrets/{secretId}")
    ResponseEntity<Void> removeSecret(@PathVariable @Pattern(regexp = IdentifierPatterns.CLIENT_ID) String clientId,
                                      @PathVariable @Pattern(regexp = "[0-9a-f-]{36}") String secretId) {
        if (!store.removeSecret(clientId, secretId)) {
            throw new ApiProblemException(ProblemType.NOT_FOUND, "No such secret");
        }
        return ResponseEntity.noContent().build();
    }

    record RotatedKey(String activeKeyId) {
    }

    @PostMapping("/signing-keys/rotate")
    RotatedKey rotateSigningKey() {
        String keyId = signingKeys.rotate();
        keyRing.reload();
        return new RotatedKey(keyId);
    }

    /**
     * Revokes a signing key (rotating first when it is the active one): tokens it signed stop being accepted
     * at once here and within {@code broker.issuer.key-check-interval} (1 s) on every other instance.
     */
    @DeleteMapping("/signing-keys/{keyId}")
    ResponseEntity<Void> revokeSigningKey(@PathVariable @Pattern(regexp = "[0-9a-f-]{36}") String keyId) {
        if (!signingKeys.revoke(keyId)) {
            throw new ApiProblemException(ProblemType.NOT_FOUND, "No such signing key");
        }
        keyRing.reload();
        return ResponseEntity.noContent().build();
    }

    private ApiClient existing(String clientId) {
        return store.find(clientId).orElseThrow(() -> new ApiProblemException(ProblemType.NOT_FOUND, "No such client"));
    }

    private ApiClient toClient(ClientRequest request, Instant createdAt) {
        Set<ApiScope> scopes = new HashSet<>();
        for (String scope : request.scopes()) {
            scopes.add(ApiScope.fromValue(scope).orElseThrow(() -> new ApiProblemException(ProblemType.INVALID_REQUEST,
                    "Unknown scope; use connections:write, tokens:read, tokens:exchange, audit:read or admin")));
        }
        Set<URI> returnUrls = new HashSet<>();
        for (String url : request.allowedReturnUrls()) {
            URI uri;
            try {
                uri = new URI(url);
            } catch (java.net.URISyntaxException e) {
                throw new ApiProblemException(ProblemType.INVALID_REQUEST, "allowedReturnUrls contains an invalid URL");
            }
            if (!ApiClient.isRegistrableReturnUrl(uri)) {
                throw new ApiProblemException(ProblemType.INVALID_REQUEST,
                        "allowedReturnUrls must be absolute https URLs without fragment (http only for localhost)");
            }
            returnUrls.add(uri);
        }
        String displayName = request.displayName() == null ? request.clientId() : request.displayName();
        return new ApiClient(request.clientId(), displayName, scopes, new HashSet<>(request.allowedConnectors()),
                returnUrls, createdAt, false);
    }

    private ClientView view(ApiClient client) {
        List<SecretView> secretViews = store.secrets(client.clientId()).stream()
                .map(secret -> new SecretView(secret.secretId(), secret.createdAt(), secret.expiresAt())).toList();
        Set<String> scopes = new HashSet<>();
        client.scopes().forEach(scope -> scopes.add(scope.value()));
        return new ClientView(client.clientId(), client.displayName(), scopes, client.allowedConnectors(),
                client.allowedReturnUrls(), client.disabled(), secretViews);
    }
}
