package dev.tokenbroker.api.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jwt.SignedJWT;
import dev.tokenbroker.api.ApiClients;
import dev.tokenbroker.api.BrokerApiTest;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Generative fuzzing of every endpoint (the paths of {@code docs/openapi.yaml}, the OAuth token
 * endpoint, the connect and callback pages, the demo page, health and JWKS): random and mutated
 * paths, query parameters, headers, JSON and form bodies, forged and mutated JWTs, connect-session
 * ids and callback parameters. A fixed seed runs every time plus a random one, logged so a failure
 * can be replayed with {@code -Dbroker.fuzz.seed=<seed>}.
 *
 * <p>Every answer must be below 500; every 4xx must be {@code application/problem+json} — also those of
 * Spring Security's firewall and of Tomcat — except the OAuth token endpoint (RFC 6749 JSON errors), the
 * browser pages (HTML) and the bare 400 Tomcat gives a request line or header it cannot parse at all; a
 * rejected request must leave the row count of every table unchanged (checked after each one).
 */
@BrokerApiTest
class ApiFuzzTest {

    private static final Logger log = LoggerFactory.getLogger(ApiFuzzTest.class);
    static final long FIXED_SEED = 0x5EED_16L;
    static final int CASES_PER_SEED = Integer.getInteger("broker.fuzz.cases", 1500);
    /** {@code -Dbroker.fuzz.trace=true}: log every case with its answer (to trace a finding). */
    static final boolean TRACE = Boolean.getBoolean("broker.fuzz.trace");

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;

    final ObjectMapper json = new ObjectMapper();
    RawHttp http;
    ApiClients api;
    String adminToken;
    String backendToken;
    String appToken;
    String auditToken;
    RSAKey brokerPublicKey;
    RSAKey foreignKey;
    List<String> sessionIds = new ArrayList<>();
    List<String> states = new ArrayList<>();
    String countSql;

    /** An endpoint: method, path template; {@code admin} endpoints that change global state get no valid admin token. */
    record Endpoint(String method, String template, Body body, boolean stateful) {
    }

    enum Body { NONE, JSON_SESSION, JSON_CLIENT, JSON_SECRET, FORM_TOKEN }

    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET", "/v1/admin/clients", Body.NONE, false),
            new Endpoint("POST", "/v1/admin/clients", Body.JSON_CLIENT, false),
            new Endpoint("GET", "/v1/admin/clients/{clientId}", Body.NONE, false),
            new Endpoint("PUT", "/v1/admin/clients/{clientId}", Body.JSON_CLIENT, false),
            new Endpoint("DELETE", "/v1/admin/clients/{clientId}", Body.NONE, false),
            new Endpoint("POST", "/v1/admin/clients/{clientId}/secrets", Body.JSON_SECRET, false),
            new Endpoint("DELETE", "/v1/admin/clients/{clientId}/secrets/{secretId}", Body.NONE, false),
            new Endpoint("POST", "/v1/admin/kek/disable-old-keys", Body.NONE, true),
            new Endpoint("GET", "/v1/admin/kek/progress", Body.NONE, false),
            new Endpoint("POST", "/v1/admin/kek/rotate", Body.NONE, true),
            new Endpoint("POST", "/v1/admin/read-models/rebuild", Body.NONE, true),
            new Endpoint("POST", "/v1/admin/signing-keys/rotate", Body.NONE, true),
            new Endpoint("GET", "/v1/audit/users/{userId}/connections/{connector}/history", Body.NONE, false),
            new Endpoint("POST", "/v1/connect-sessions", Body.JSON_SESSION, false),
            new Endpoint("GET", "/v1/connect/{sessionId}", Body.NONE, false),
            new Endpoint("GET", "/v1/oauth/callback", Body.NONE, false),
            new Endpoint("DELETE", "/v1/users/{userId}", Body.NONE, false),
            new Endpoint("GET", "/v1/users/{userId}/connections", Body.NONE, false),
            new Endpoint("DELETE", "/v1/users/{userId}/connections/{connector}", Body.NONE, false),
            new Endpoint("GET", "/v1/users/{userId}/connections/{connector}/token", Body.NONE, false),
            new Endpoint("POST", "/oauth2/token", Body.FORM_TOKEN, false),
            new Endpoint("GET", "/demo/linked", Body.NONE, false),
            new Endpoint("GET", "/actuator/health", Body.NONE, false),
            new Endpoint("GET", "/oauth2/jwks", Body.NONE, false),
            new Endpoint("GET", "/v3/api-docs", Body.NONE, false));

    @BeforeEach
    void setUp() throws Exception {
        http = new RawHttp(port, 20_000);
        api = new ApiClients(port);
        adminToken = api.accessToken("test-admin", BrokerApiTest.ADMIN_SECRET);
        backendToken = api.accessToken("test-backend", BrokerApiTest.BACKEND_SECRET);
        appToken = api.accessToken("test-app", BrokerApiTest.APP_SECRET);
        auditToken = adminToken;
        JWKSet jwks = JWKSet.parse(api.get("/oauth2/jwks", null).body());
        brokerPublicKey = jwks.getKeys().get(0).toRSAKey();
        foreignKey = new RSAKeyGenerator(2048).keyID(brokerPublicKey.getKeyID()).generate();
        // Real connect sessions whose ids and states the fuzzer mutates (creating them is an accepted write).
        for (int i = 0; i < 3; i++) {
            var created = api.send("POST", "/v1/connect-sessions", appToken, "application/json",
                    "{\"userId\":\"fz-session-" + i + "\",\"connector\":\"demo\",\"returnTo\":\"https://app.example/linked\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String url = json.readTree(created.body()).get("connectUrl").asText();
            sessionIds.add(url.substring(url.lastIndexOf('/') + 1));
        }
        // One session followed to the IdP, so a real state exists for the callback.
        var redirect = api.get("/v1/connect/" + sessionIds.get(0), null);
        String location = redirect.headers().firstValue("Location").orElse("");
        for (String pair : URI.create(location).getRawQuery().split("&")) {
            if (pair.startsWith("state=")) {
                states.add(java.net.URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8));
            }
        }
        List<String> tables = jdbc.queryForList(
                "select table_name from information_schema.tables where table_schema = current_schema()"
                        + " and table_type = 'BASE TABLE'"
                        // the event chain and its checkpoints grow on their own clock (a checkpoint every T seconds);
                        // its pending positions and sink markers move with it
                        + " and table_name not in ('event_chain', 'event_chain_checkpoint', 'event_chain_pending',"
                        + " 'event_chain_sink_position')"
                        + " order by table_name", String.class);
        StringBuilder sql = new StringBuilder();
        for (String table : tables) {
            sql.append(sql.length() == 0 ? "" : " union all ")
                    .append("select '").append(table).append("', count(*) from \"").append(table).append('"');
        }
        countSql = sql.toString();
    }

    @Test
    void fuzzedRequestsNeverGetA5xxAlwaysAProblemAndRejectedOnesChangeNothing() throws Exception {
        long randomSeed = Long.getLong("broker.fuzz.seed", new Random().nextLong());
        log.info("API fuzz: fixed seed {} and random seed {} ({} cases each; replay with -Dbroker.fuzz.seed=<seed>)",
                FIXED_SEED, randomSeed, CASES_PER_SEED);
        List<String> failures = new ArrayList<>();
        Map<Integer, AtomicInteger> byStatus = new TreeMap<>();
        for (long seed : new long[] {FIXED_SEED, randomSeed}) {
            run(seed, failures, byStatus);
        }
        log.info("API fuzz: answers by status {}; {} refused by Tomcat before parsing (bare 400)", byStatus,
                containerRejections.get());
        assertThat(failures).as("fuzz failures (seeds " + FIXED_SEED + ", " + randomSeed + ")").isEmpty();
    }

    /**
     * Sends the cases one by one. The row count of every table is read after each refused request and compared with
     * the count read just before it was sent (after the previous answer): a refused request that wrote anything — or
     * a write that landed after its own answer — fails the run and is named.
     */
    private void run(long seed, List<String> failures, Map<Integer, AtomicInteger> byStatus) throws Exception {
        Random random = new Random(seed);
        Map<String, Long> before = rowCounts();
        for (int i = 0; i < CASES_PER_SEED && failures.size() < 20; i++) {
            Case fuzzCase = generate(random);
            String label = "seed " + seed + " case " + i + ": " + fuzzCase.describe();
            RawHttp.Response response;
            try {
                response = http.send(fuzzCase.method, fuzzCase.target, fuzzCase.headers, fuzzCase.body);
            } catch (Exception e) {
                failures.add(label + " -> no answer: " + e);
                before = rowCounts();
                continue;
            }
            byStatus.computeIfAbsent(response.status(), s -> new AtomicInteger()).incrementAndGet();
            if (TRACE) {
                log.info("API fuzz trace: {} -> {} {} {}", label, response.status(), response.headers(),
                        response.body().substring(0, Math.min(200, response.body().length())));
            }
            String problem = check(fuzzCase, response);
            if (problem != null) {
                failures.add(label + " -> " + response.status() + " " + problem + " "
                        + response.body().substring(0, Math.min(300, response.body().length())));
            }
            Map<String, Long> after = rowCounts();
            if (response.status() >= 400 && !after.equals(before)) {
                Map<String, String> changed = new TreeMap<>();
                Map<String, Long> previous = before;
                after.forEach((table, count) -> {
                    if (!count.equals(previous.get(table))) {
                        changed.put(table, previous.get(table) + " -> " + count);
                    }
                });
                failures.add("rejected request changed rows " + changed + ": " + label + " -> " + response.status());
            }
            before = after; // an accepted request may write: its writes are the new baseline
        }
    }

    final AtomicInteger containerRejections = new AtomicInteger();

    /**
     * Tomcat answers a request it cannot parse at all (a request line or header it cannot read) with a bare 400 and no
     * body, before it has a request to hand to the application or to any valve: the one 4xx that cannot be a problem.
     */
    static boolean refusedBeforeParsing(int status, String type, String body) {
        return status == 400 && body.isEmpty();
    }

    private String check(Case fuzzCase, RawHttp.Response response) {
        int status = response.status();
        if (status >= 500) {
            return "5xx";
        }
        if (status < 400) {
            return null;
        }
        String type = response.header("Content-Type");
        String path = fuzzCase.endpoint.template;
        if (refusedBeforeParsing(status, type, response.body())) {
            containerRejections.incrementAndGet();
            return null;
        }
        if (path.startsWith("/actuator/") && status == 404 && response.body().isEmpty()) {
            return null; // the actuator's own 404 for an unknown health group (not an API path)
        }
        if (type != null && type.startsWith("application/problem+json")) {
            try {
                JsonNode body = json.readTree(response.body());
                return body.path("type").asText().startsWith("urn:token-broker:problem:") ? null : "problem without our type";
            } catch (Exception e) {
                return "unparseable problem";
            }
        }
        if (path.startsWith("/oauth2/") && type != null && type.startsWith("application/json")) {
            return response.body().contains("\"error\"") ? null : "OAuth error without error code";
        }
        if (path.startsWith("/oauth2/") && status == 401 && response.body().isEmpty()) {
            return null;
        }
        if ((path.startsWith("/v1/connect/") || path.startsWith("/v1/oauth/callback") || path.startsWith("/demo/"))
                && type != null && type.startsWith("text/html")) {
            return null;
        }
        return "4xx with Content-Type " + type;
    }

    // ---------------------------------------------------------------- generation

    static final class Case {
        Endpoint endpoint;
        String method;
        String target;
        List<String[]> headers = new ArrayList<>();
        byte[] body;
        boolean rawTargetMutated;
        String note = "";

        String describe() {
            String bodyText = body == null ? "" : new String(body, StandardCharsets.UTF_8);
            StringBuilder headerText = new StringBuilder();
            for (String[] header : headers) {
                headerText.append(header[0]).append('=')
                        .append(header[1], 0, Math.min(60, header[1].length())).append(' ');
            }
            return method + " " + target.substring(0, Math.min(200, target.length())) + " [" + headerText + "] "
                    + note + " body=" + bodyText.substring(0, Math.min(200, bodyText.length()));
        }
    }

    private Case generate(Random random) throws Exception {
        Case c = new Case();
        c.endpoint = ENDPOINTS.get(random.nextInt(ENDPOINTS.size()));
        c.method = random.nextInt(12) == 0 ? pick(random, "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE")
                : c.endpoint.method;
        String path = fillTemplate(random, c.endpoint.template);
        String query = query(random, c.endpoint);
        String target = path + (query.isEmpty() ? "" : "?" + query);
        if (random.nextInt(6) == 0) {
            target = mutateTarget(random, target);
            c.rawTargetMutated = true;
        }
        c.target = target;
        String token = token(random, c);
        if (token != null) {
            c.headers.add(new String[] {"Authorization", headerSafe(token)});
        }
        body(random, c);
        extraHeaders(random, c);
        if ("HEAD".equals(c.method) || "TRACE".equals(c.method)) {
            c.method = "GET"; // a HEAD answer has no body to check
        }
        return c;
    }

    private String fillTemplate(Random random, String template) {
        String path = template;
        path = path.replace("{clientId}", segment(random, "fz-client-" + random.nextInt(1000)));
        path = path.replace("{secretId}", segment(random, random.nextBoolean() ? java.util.UUID.randomUUID().toString() : "s"));
        path = path.replace("{userId}", segment(random, "fz-user-" + random.nextInt(1000)));
        path = path.replace("{connector}", segment(random, pick(random, "demo", "github", "google", "nope")));
        path = path.replace("{sessionId}", segment(random, sessionIds.get(random.nextInt(sessionIds.size()))));
        return path;
    }

    /** A path segment: mostly a plausible value, sometimes mutated or hostile (always percent-encoded). */
    private String segment(Random random, String plausible) {
        return switch (random.nextInt(10)) {
            case 0, 1, 2, 3, 4 -> plausible;
            case 5 -> encode(mutate(random, plausible));
            case 6 -> encode(hostileString(random));
            case 7 -> encode(plausible + hostileString(random));
            case 8 -> "x".repeat(1 + random.nextInt(3000));
            default -> encode(randomUnicode(random, 1 + random.nextInt(40)));
        };
    }

    private String query(Random random, Endpoint endpoint) {
        List<String> parameters = new ArrayList<>();
        if (endpoint.template.endsWith("/token") && random.nextInt(3) > 0) {
            parameters.add("min_validity=" + encode(pick(random, "0", "60", "3600", "-1", "99999999999999999999",
                    "1e3", "abc", "", " 5", "0x10", "NaN", "2147483648", "9223372036854775808", hostileString(random))));
        }
        if (endpoint.template.equals("/v1/oauth/callback")) {
            if (random.nextInt(4) > 0) {
                String state = states.isEmpty() || random.nextBoolean() ? hostileString(random)
                        : random.nextBoolean() ? mutate(random, states.get(0)) : states.get(0) + hostileString(random);
                parameters.add("state=" + encode(state));
            }
            if (random.nextBoolean()) {
                parameters.add("code=" + encode(random.nextBoolean() ? hostileString(random) : "code-" + random.nextInt()));
            }
            if (random.nextInt(3) == 0) {
                parameters.add("error=" + encode(pick(random, "access_denied", "server_error", hostileString(random))));
            }
            if (random.nextInt(4) == 0) {
                parameters.add("iss=" + encode(pick(random, "https://evil.example", "", hostileString(random))));
            }
        }
        if (endpoint.template.equals("/demo/linked") && random.nextBoolean()) {
            parameters.add("status=" + encode(hostileString(random)));
            parameters.add("error=" + encode(hostileString(random)));
        }
        int extra = random.nextInt(4) == 0 ? random.nextInt(5) : 0;
        for (int i = 0; i < extra; i++) {
            parameters.add(encode(randomAscii(random, 1 + random.nextInt(10))) + "=" + encode(hostileString(random)));
        }
        if (random.nextInt(15) == 0 && !parameters.isEmpty()) {
            parameters.add(parameters.get(0)); // duplicate parameter
        }
        return String.join("&", parameters);
    }

    /** Raw mutations of the request target that a URI class would refuse. */
    private String mutateTarget(Random random, String target) {
        return switch (random.nextInt(12)) {
            case 0 -> target + "%";
            case 1 -> target + "%zz";
            case 2 -> target.replaceFirst("/v1/", "/v1//");
            case 3 -> target + "/..";
            case 4 -> target + "/%2e%2e/%2e%2e/etc/passwd";
            case 5 -> target + ";jsessionid=" + randomAscii(random, 8);
            case 6 -> target + "%00";
            case 7 -> target + "%2F";
            case 8 -> target.toUpperCase(java.util.Locale.ROOT);
            case 9 -> target + "#frag";
            case 10 -> target + "/" + encode(randomUnicode(random, 5));
            default -> target.replace("/", "/./");
        };
    }

    private String token(Random random, Case c) throws Exception {
        String path = c.endpoint.template;
        boolean admin = path.startsWith("/v1/admin") || (path.startsWith("/v1/users/{userId}") && "DELETE".equals(c.endpoint.method)
                && !path.contains("connections"));
        String valid;
        if (path.startsWith("/v1/admin")) {
            valid = adminToken;
        } else if (path.startsWith("/v1/audit")) {
            valid = auditToken;
        } else if (path.endsWith("/token") || path.endsWith("/connections")) {
            valid = backendToken;
        } else if (admin) {
            valid = adminToken;
        } else {
            valid = appToken;
        }
        if (c.endpoint.stateful && valid.equals(adminToken)) {
            // Global admin operations (KEK rotation, rebuild, new signing key) would disturb the
            // shared context: fuzz them only with tokens that must be refused.
            valid = pick(random, appToken, backendToken);
        }
        if (path.startsWith("/oauth2/token")) {
            return random.nextInt(3) == 0 ? basic(random) : null;
        }
        return switch (random.nextInt(14)) {
            case 0, 1, 2, 3 -> "Bearer " + valid;
            case 4 -> null;
            case 5 -> "Bearer " + (c.endpoint.stateful ? pick(random, backendToken, appToken)
                    : pick(random, adminToken, backendToken, appToken));
            case 6 -> "Bearer " + mutateJwt(random, valid);
            case 7 -> "Bearer " + algNone(random);
            case 8 -> "Bearer " + hsWithPublicKey(random);
            case 9 -> "Bearer " + foreignSigned(random);
            case 10 -> "Bearer " + resignedClaims(random);
            case 11 -> pick(random, "Bearer", "Bearer ", "bearer " + valid, "Basic " + valid, "Bearer " + valid + " extra",
                    "Bearer " + hostileString(random), "Token " + valid);
            case 12 -> basic(random);
            default -> "Bearer " + randomAscii(random, 1 + random.nextInt(8000));
        };
    }

    private String basic(Random random) {
        String user = pick(random, "test-app", "test-admin", "fz-client", hostileString(random), "", ":");
        String secret = pick(random, "wrong", BrokerApiTest.APP_SECRET + "x", "", hostileString(random));
        String raw = switch (random.nextInt(4)) {
            case 0 -> "notbase64!!";
            case 1 -> Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8));
            default -> Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
        };
        return "Basic " + raw;
    }

    private String mutateJwt(Random random, String jwt) {
        String[] parts = jwt.split("\\.");
        return switch (random.nextInt(7)) {
            case 0 -> parts[0] + "." + parts[1] + ".";
            case 1 -> parts[0] + "." + mutate(random, parts[1]) + "." + parts[2];
            case 2 -> mutate(random, parts[0]) + "." + parts[1] + "." + parts[2];
            case 3 -> parts[0] + "." + parts[1] + "." + mutate(random, parts[2]);
            case 4 -> parts[0] + "." + Base64URL.encode(claimsJson(random)) + "." + parts[2];
            case 5 -> jwt + "." + parts[2];
            default -> parts[0] + "." + parts[1];
        };
    }

    private String algNone(Random random) {
        String header = pick(random, "{\"alg\":\"none\"}", "{\"alg\":\"None\",\"typ\":\"JWT\"}", "{\"alg\":\"nOnE\"}",
                "{\"alg\":\"none\",\"kid\":\"" + brokerPublicKey.getKeyID() + "\"}");
        return Base64URL.encode(header) + "." + Base64URL.encode(claimsJson(random)) + "." + (random.nextBoolean() ? "" : "sig");
    }

    private String hsWithPublicKey(Random random) throws Exception {
        byte[] secret = random.nextBoolean() ? brokerPublicKey.toRSAPublicKey().getEncoded()
                : ("-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(
                        brokerPublicKey.toRSAPublicKey().getEncoded()) + "\n-----END PUBLIC KEY-----\n").getBytes(StandardCharsets.US_ASCII);
        JWSObject jwt = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(brokerPublicKey.getKeyID()).build(),
                new Payload(claimsJson(random)));
        jwt.sign(new MACSigner(secret));
        return jwt.serialize();
    }

    private String foreignSigned(Random random) throws Exception {
        JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT);
        switch (random.nextInt(5)) {
            case 0 -> header.keyID(brokerPublicKey.getKeyID());
            case 1 -> header.keyID(pick(random, "../../../../dev/null", "' OR '1'='1", "x\u0000y", "%00", "${jndi:ldap://x}",
                    "a".repeat(5000)));
            case 2 -> header.jwkURL(URI.create("http://127.0.0.1:1/jwks")).keyID("attacker");
            case 3 -> header.jwk(foreignKey.toPublicJWK());
            default -> { }
        }
        JWSObject jwt = new JWSObject(header.build(), new Payload(claimsJson(random)));
        jwt.sign(new RSASSASigner(foreignKey));
        return jwt.serialize();
    }

    /** The broker's own claims re-encoded with changes, keeping the original signature. */
    private String resignedClaims(Random random) throws Exception {
        SignedJWT original = SignedJWT.parse(appToken);
        Map<String, Object> claims = new LinkedHashMap<>(original.getJWTClaimsSet().toJSONObject());
        claims.put("scope", List.of("admin", "tokens:read", "connections:write", "audit:read"));
        if (random.nextBoolean()) {
            claims.put("sub", "test-admin");
        }
        return original.getParsedParts()[0] + "." + Base64URL.encode(json.writeValueAsString(claims)) + "."
                + original.getParsedParts()[2];
    }

    private String claimsJson(Random random) {
        long now = Instant.now().getEpochSecond();
        Object exp = pick(random, now + 600, now - 600, Long.MAX_VALUE, "soon", -1, 1e300);
        Object scope = pick(random, "admin", List.of("admin"), 42, List.of(Map.of("a", 1)), "admin tokens:read audit:read connections:write");
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", pick(random, "http://localhost:" + port, "https://evil.example", hostileString(random)));
        claims.put("sub", pick(random, "test-admin", "test-app", hostileString(random)));
        claims.put("aud", pick(random, "test-admin", List.of("a", "b"), 7));
        claims.put("exp", exp);
        claims.put("nbf", pick(random, now - 60, now + 99999, "x"));
        claims.put("iat", now);
        claims.put("scope", scope);
        claims.put("client_id", pick(random, "test-admin", "fz-nobody", hostileString(random)));
        try {
            return json.writeValueAsString(claims);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void body(Random random, Case c) {
        if (c.endpoint.body == Body.NONE && random.nextInt(8) != 0) {
            return;
        }
        if (c.endpoint.body == Body.FORM_TOKEN) {
            c.headers.add(new String[] {"Content-Type", random.nextInt(8) == 0 ? pick(random, "application/json", "text/plain", "")
                    : "application/x-www-form-urlencoded"});
            List<String> form = new ArrayList<>();
            form.add("grant_type=" + encode(pick(random, "client_credentials", "password", "authorization_code",
                    "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer", "", hostileString(random))));
            if (random.nextBoolean()) {
                form.add("client_id=" + encode(pick(random, "test-app", "test-admin", "nobody", hostileString(random))));
                form.add("client_secret=" + encode(pick(random, "wrong", BrokerApiTest.APP_SECRET, hostileString(random))));
            }
            if (random.nextBoolean()) {
                form.add("scope=" + encode(pick(random, "admin", "tokens:read admin", "root", "", hostileString(random))));
            }
            if (random.nextInt(5) == 0) {
                form.add("client_assertion_type=" + encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
                form.add("client_assertion=" + encode(algNone(random)));
            }
            if (random.nextInt(8) == 0) {
                form.add(form.get(0)); // duplicate parameter
            }
            String text = String.join("&", form);
            if (random.nextInt(10) == 0) {
                text = mutate(random, text);
            }
            c.body = text.getBytes(StandardCharsets.UTF_8);
            return;
        }
        c.headers.add(new String[] {"Content-Type", random.nextInt(10) == 0
                ? headerSafe(pick(random, "text/plain", "application/xml", "application/json; charset=utf-16", "application/json;charset=nonsense",
                        "multipart/form-data", "application/x-www-form-urlencoded", "*/*", hostileString(random)))
                : "application/json"});
        String plausible = switch (c.endpoint.body) {
            case JSON_SESSION -> "{\"userId\":\"fz-user-" + random.nextInt(1000) + "\",\"connector\":\"demo\","
                    + "\"returnTo\":\"https://app.example/linked\",\"scopes\":[\"openid\"]}";
            case JSON_CLIENT -> "{\"clientId\":\"fz-client-" + random.nextInt(1000) + "\",\"scopes\":[\"tokens:read\"],"
                    + "\"allowedConnectors\":[\"demo\"],\"allowedReturnUrls\":[\"https://app.example/x\"]}";
            case JSON_SECRET -> "{}";
            default -> "{}";
        };
        c.body = jsonBody(random, plausible).getBytes(StandardCharsets.UTF_8);
    }

    private String jsonBody(Random random, String plausible) {
        try {
            JsonNode node = json.readTree(plausible);
            return switch (random.nextInt(12)) {
                case 0 -> "[".repeat(1 + random.nextInt(6000)) + "]".repeat(random.nextInt(3));
                case 1 -> "{\"a\":".repeat(1 + random.nextInt(3000)) + "1" + "}".repeat(random.nextInt(3000));
                case 2 -> plausible.replaceFirst("\\{", "{\"userId\":\"dup\",\"clientId\":\"dup\",");
                case 3 -> mutate(random, plausible);
                case 4 -> pick(random, "null", "1e999999", "123456789012345678901234567890123456789", "\"\\ud800\"", "",
                        "true", "[]", "\"x\"", "{\"\\u0000\":1}", "\uFEFF{}", "{}{}", "{\"a\":NaN}", "{'a':1}");
                default -> {
                    // replace one field of the plausible body with a wrong type or hostile value
                    var object = (com.fasterxml.jackson.databind.node.ObjectNode) node;
                    List<String> fields = new ArrayList<>();
                    object.fieldNames().forEachRemaining(fields::add);
                    String field = fields.isEmpty() ? "extra" : fields.get(random.nextInt(fields.size()));
                    if (random.nextInt(4) == 0) {
                        field = hostileString(random);
                    }
                    switch (random.nextInt(9)) {
                        case 0 -> object.put(field, random.nextLong());
                        case 1 -> object.putNull(field);
                        case 2 -> object.put(field, new java.math.BigDecimal("1e400"));
                        case 3 -> object.putArray(field).add(hostileString(random)).add(1).addNull();
                        case 4 -> object.putObject(field).put("nested", hostileString(random));
                        case 5 -> object.put(field, true);
                        case 6 -> object.putArray(field).add("x".repeat(random.nextInt(5000)));
                        default -> object.put(field, hostileString(random));
                    }
                    yield json.writeValueAsString(object);
                }
            };
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void extraHeaders(Random random, Case c) {
        if (random.nextInt(3) == 0) {
            c.headers.add(new String[] {"Accept", pick(random, "application/json", "application/xml", "text/html", "*/*",
                    "application/problem+json", "image/png", "garbage", "application/json;q=0", "")});
        }
        if (random.nextInt(6) == 0) {
            String name = pick(random, "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded", "Origin",
                    "Referer", "Cookie", "X-Request-Id", "Accept-Language", "Accept-Charset", "If-None-Match", "Range",
                    "X-HTTP-Method-Override", "Transfer-Encoding-Ignored", randomAscii(random, 12));
            c.headers.add(new String[] {name, headerSafe(hostileString(random))});
        }
        if (random.nextInt(20) == 0 && !c.headers.isEmpty()) {
            c.headers.add(c.headers.get(0)); // duplicate header
        }
        if (random.nextInt(40) == 0) {
            c.headers.add(new String[] {"X-Big", "h".repeat(6000 + random.nextInt(6000))});
        }
    }

    // ---------------------------------------------------------------- values

    static final String[] HOSTILE = {
            "", " ", "null", "undefined", "0", "-1", "1e309", "NaN", "💥", "\u202Eevil", "\u0000", "a\u0000b", "%00", "\uFFFF",
            "\ud83d", "../../etc/passwd", "..", ".", "/", "\\", "' OR 1=1 --", "\"; drop table domainevententry; --",
            "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1:1/a}", "#{7*7}", "{{7*7}}", "%s%s%s%n", "\r\nX-Injected: 1",
            "javascript:alert(1)", "https://evil.example/", "//evil.example", "\t", "ǅ", "İ", "ß", "\u200B", "a b", "a,b",
            "A".repeat(300), "9".repeat(400), "-9223372036854775809", "true", "[]", "{}", "\"quoted\""};

    private String hostileString(Random random) {
        return HOSTILE[random.nextInt(HOSTILE.length)];
    }

    private static String headerSafe(String value) {
        StringBuilder out = new StringBuilder();
        for (char ch : value.toCharArray()) {
            out.append(ch >= 0x20 && ch < 0x7f ? ch : '?');
        }
        return out.toString();
    }

    private static String mutate(Random random, String value) {
        StringBuilder text = new StringBuilder(value);
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits; i++) {
            int at = text.length() == 0 ? 0 : random.nextInt(text.length());
            switch (random.nextInt(4)) {
                case 0 -> text.insert(at, (char) (0x20 + random.nextInt(0x5f)));
                case 1 -> {
                    if (text.length() > 0) {
                        text.deleteCharAt(at);
                    }
                }
                case 2 -> {
                    if (text.length() > 0) {
                        text.setCharAt(at, (char) random.nextInt(0x3000));
                    }
                }
                default -> text.insert(at, text.substring(at, Math.min(text.length(), at + random.nextInt(20))));
            }
        }
        return text.toString();
    }

    private static String randomUnicode(Random random, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.appendCodePoint(random.nextInt(8) == 0 ? 0x1F300 + random.nextInt(500) : random.nextInt(0xD000));
        }
        return text.toString();
    }

    private static String randomAscii(Random random, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @SafeVarargs
    private static <T> T pick(Random random, T... values) {
        return values[random.nextInt(values.length)];
    }

    private Map<String, Long> rowCounts() {
        Map<String, Long> counts = new TreeMap<>();
        jdbc.query(countSql, row -> {
            counts.put(row.getString(1), row.getLong(2));
        });
        return counts;
    }

}
