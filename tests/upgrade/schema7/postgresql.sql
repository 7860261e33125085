--
-- PostgreSQL database dump
--

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

--
-- Name: fps_fixture_maker; Type: SCHEMA; Schema: -; Owner: -
--

--
-- Name: account; Type: TABLE; Schema: fps_fixture_maker; Owner: -
--

CREATE TABLE account (
    id integer NOT NULL,
    name character varying(128) NOT NULL,
    email character varying(255) NOT NULL,
    kind character varying(16) NOT NULL,
    password character varying(255),
    access_key character varying(64),
    secret_key character varying(128),
    balance_cents bigint NOT NULL,
    created_at timestamp without time zone NOT NULL,
    ipn_url character varying(2048),
    ipn_twice boolean NOT NULL,
    ipn_reorder boolean NOT NULL,
    ipn_delay_seconds integer NOT NULL,
    ipn_drop boolean NOT NULL,
    ipn_fail_first integer NOT NULL
);

--
-- Name: account_id_seq; Type: SEQUENCE; Schema: fps_fixture_maker; Owner: -
--

CREATE SEQUENCE account_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: account_id_seq; Type: SEQUENCE OWNED BY; Schema: fps_fixture_maker; Owner: -
--

ALTER SEQUENCE account_id_seq OWNED BY account.id;

--
-- Name: api_call; Type: TABLE; Schema: fps_fixture_maker; Owner: -
--

CREATE TABLE api_call (
    id integer NOT NULL,
    request_id character varying(40) NOT NULL,
    at timestamp without time zone NOT NULL,
    face character varying(8) NOT NULL,
    action character varying(64),
    caller_id integer,
    access_key character varying(128),
    method character varying(8) NOT NULL,
    host character varying(255) NOT NULL,
    path character varying(255) NOT NULL,
    params text NOT NULL,
    verdict character varying(10) NOT NULL,
    string_to_sign text,
    diagnosis text,
    http_status integer NOT NULL,
    error_code character varying(64),
    response text NOT NULL,
    duration_ms integer NOT NULL,
    transaction_id character varying(35)
);

--
-- Name: api_call_id_seq; Type: SEQUENCE; Schema: fps_fixture_maker; Owner: -
--

CREATE SEQUENCE api_call_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: api_call_id_seq; Type: SEQUENCE OWNED BY; Schema: fps_fixture_maker; Owner: -
--

ALTER SEQUENCE api_call_id_seq OWNED BY api_call.id;

--
-- Name: book_total; Type: TABLE; Schema: fps_fixture_maker; Owner: -
--

CREATE TABLE book_total (
    book character varying(64) NOT NULL,
    amount_cents bigint NOT NULL,
    lines bigint NOT NULL
);

--
-- Name: caller_total; Type: TABLE; Schema: fps_fixture_maker; Owner: -
--

CREATE TABLE caller_total (
    caller_id integer NOT NULL,
    operation character varying(16) NOT NULL,
    status character varying(9) NOT NULL,
    count bigint NOT NULL,
    amount_cents bigint NOT NULL,
    fee_cents bigint NOT NULL
);

--
-- Name: cbui_pipeline; Type: TABLE; Schema: fps_fixture_maker; Owner: -
--

CREATE TABLE cbui_pipeline (
    id character varying(40) NOT NULL,
    caller_id integer NOT NULL,
    pipeline_name character varying(16) NOT NULL,
    params text NOT NULL,
    buyer_id integer,
    payment_method character varying(3),
    payment_method_id integer,
    state character varying(12) NOT NULL,
    created_at timestamp without time zone NOT NULL
);

--
-- Name: delivery_attempt; Type: TABLE; Schema: fps_fixture_maker; Owner: -
--

CREATE TABLE delivery_attempt (
    id integer NOT NULL,
    notification_pk integer NOT NULL,
    at timestamp without time zone NOT NULL,
    outcome character varying(16) NOT NULL,
    http_status integer,
    response_excerpt character varying(512),
    duration_ms integer NOT NULL
);

--
-- Name: delivery_attempt_id_seq; Type: SEQUENCE; Schema: fps_fixture_maker; Owner: -
--

CREATE SEQUENCE delivery_attempt_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: delivery_attempt_id_seq; Type: SEQUENCE OWNED BY; Schema: fps_fixture_maker; Owner: -
--

ALTER SEQUENCE delivery_attempt_id_seq OWNED BY delivery_attempt.id;

--
-- Name: fault; Type: TABLE; Schema: fps_fixture_maker; Owner: -
--

CREATE TABLE fault (
    id integer NOT NULL,
    action character varying(40) NOT NULL,
    mode character varying(12) NOT NULL,
    error_code character varying(64),
    remaining integer,
    per_mille integer,
    delay_ms integer NOT NULL,
    hits integer NOT NULL,
    created_at timestamp without time zone NOT NULL
);

--
-- Name: fault_id_seq; Type: SEQUENCE; Schema: fps_fixture_maker; Owner: -
--

CREATE SEQUENCE fault_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: fault_id_seq; Type: SEQUENCE OWNED BY; Schema: fps_fixture_maker; Owner: -
--

ALTER SEQUENCE fault_id_seq OWNED BY fault.id;

--
-- Name: fps_transaction; Type: TABLE; Schema: fps_fixture_maker; Owner: -
--

CREATE TABLE fps_transaction (
    id integer NOT NULL,
    transaction_id character varying(35) NOT NULL,
    caller_reference character varying(128) NOT NULL,
    fingerprint character varying(64) NOT NULL,
    operation character varying(16) NOT NULL,
    payment_method character varying(8) NOT NULL,
    caller_id integer NOT NULL,
    sender_id integer NOT NULL,
    recipient_id integer NOT NULL,
    instrument_pk integer,
    sender_token_pk integer,
    amount_cents bigint NOT NULL,
    fee_cents bigint NOT NULL,
    fees_paid_by character varying(9) NOT NULL,
    status character varying(9) NOT NULL,
    status_code character varying(32) NOT NULL,
    status_message character varying(255) NOT NULL,
    caller_description character varying(160),
    sender_description character varying(160),
    date_received timestamp without time zone NOT NULL,
    date_completed timestamp without time zone,
    parent_pk integer,
    due_at timestamp without time zone,
    outcome character varying(32),
    override_ipn_url character varying(2048)
);

--
-- Name: fps_transaction_id_seq; Type: SEQUENCE; Schema: fps_fixture_maker; Owner: -
--

CREATE SEQUENCE fps_transaction_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: fps_transaction_id_seq; Type: SEQUENCE OWNED BY; Schema: fps_fixture_maker; Owner: -
--

ALTER SEQUENCE fps_transaction_id_seq OWNED BY fps_transaction.id;

--
-- Name: instrument; Type: TABLE; Schema: fps_fixture_maker; Owner: -
--

CREATE TABLE instrument (
    id integer NOT NULL,
    instrument_id character varying(65) NOT NULL,
    kind character varying(8) NOT NULL,
    caller_id integer NOT NULL,
    sender_id integer NOT NULL,
    recipient_id integer NOT NULL,
    currency character varying(3) NOT NULL,
    limit_cents bigint NOT NULL,
    balance_cents bigint NOT NULL,
    funded_cents bigint NOT NULL,
    debt_cents bigint NOT NULL,
    global_limit_cents bigint,
    payment_method character varying(3) NOT NULL,
    payment_method_id integer,
    payment_reason text,
    validity_start timestamp without time zone NOT NULL,
    validity_expiry timestamp without time zone,
    created_at timestamp without time zone NOT NULL
);

--
-- Name: instrument_id_seq; Type: SEQUENCE; Schema: fps_fixture_maker; Owner: -
--

CREATE SEQUENCE instrument_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: instrument_id_seq; Type: SEQUENCE OWNED BY; Schema: fps_fixture_maker; Owner: -
--

ALTER SEQUENCE instrument_id_seq OWNED BY instrument.id;

--
-- Name: ledger_entry; Type: TABLE; Schema: fps_fixture_maker; Owner: -
--

CREATE TABLE ledger_entry (
    id integer NOT NULL,
    journal character varying(40) NOT NULL,
    transaction_pk integer,
    book character varying(64) NOT NULL,
    amount_cents bigint NOT NULL,
    memo character varying(160) NOT NULL,
    created_at timestamp without time zone NOT NULL
);

--
-- Name: ledger_entry_id_seq; Type: SEQUENCE; Schema: fps_fixture_maker; Owner: -
--

CREATE SEQUENCE ledger_entry_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: ledger_entry_id_seq; Type: SEQUENCE OWNED BY; Schema: fps_fixture_maker; Owner: -
--

ALTER SEQUENCE ledger_entry_id_seq OWNED BY ledger_entry.id;

--
-- Name: notification; Type: TABLE; Schema: fps_fixture_maker; Owner: -
--

CREATE TABLE notification (
    id integer NOT NULL,
    caller_id integer NOT NULL,
    notification_type character varying(20) NOT NULL,
    transaction_pk integer,
    token_pk integer,
    status character varying(9),
    status_code character varying(32),
    url character varying(2048),
    state character varying(10) NOT NULL,
    created_at timestamp without time zone NOT NULL,
    next_attempt_at timestamp without time zone,
    attempts integer NOT NULL,
    forced_failures_left integer NOT NULL,
    twice boolean NOT NULL,
    edited_fields text,
    delivered_at timestamp without time zone
);

--
-- Name: notification_id_seq; Type: SEQUENCE; Schema: fps_fixture_maker; Owner: -
--

CREATE SEQUENCE notification_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: notification_id_seq; Type: SEQUENCE OWNED BY; Schema: fps_fixture_maker; Owner: -
--

ALTER SEQUENCE notification_id_seq OWNED BY notification.id;

--
-- Name: payment_method; Type: TABLE; Schema: fps_fixture_maker; Owner: -
--

CREATE TABLE payment_method (
    id integer NOT NULL,
    account_id integer NOT NULL,
    method character varying(3) NOT NULL,
    label character varying(64) NOT NULL,
    expiry character varying(7)
);

--
-- Name: payment_method_id_seq; Type: SEQUENCE; Schema: fps_fixture_maker; Owner: -
--

CREATE SEQUENCE payment_method_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: payment_method_id_seq; Type: SEQUENCE OWNED BY; Schema: fps_fixture_maker; Owner: -
--

ALTER SEQUENCE payment_method_id_seq OWNED BY payment_method.id;

--
-- Name: sandbox_meta; Type: TABLE; Schema: fps_fixture_maker; Owner: -
--

CREATE TABLE sandbox_meta (
    key character varying(32) NOT NULL,
    value character varying(255) NOT NULL
);

--
-- Name: status_history; Type: TABLE; Schema: fps_fixture_maker; Owner: -
--

CREATE TABLE status_history (
    id integer NOT NULL,
    transaction_pk integer NOT NULL,
    date timestamp without time zone NOT NULL,
    status character varying(9) NOT NULL,
    status_code character varying(32) NOT NULL,
    amount_cents bigint NOT NULL
);

--
-- Name: status_history_id_seq; Type: SEQUENCE; Schema: fps_fixture_maker; Owner: -
--

CREATE SEQUENCE status_history_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: status_history_id_seq; Type: SEQUENCE OWNED BY; Schema: fps_fixture_maker; Owner: -
--

ALTER SEQUENCE status_history_id_seq OWNED BY status_history.id;

--
-- Name: token; Type: TABLE; Schema: fps_fixture_maker; Owner: -
--

CREATE TABLE token (
    id integer NOT NULL,
    token_id character varying(65) NOT NULL,
    role character varying(16) NOT NULL,
    token_type character varying(16) NOT NULL,
    instrument_pk integer NOT NULL,
    caller_id integer NOT NULL,
    sender_id integer NOT NULL,
    recipient_id integer NOT NULL,
    caller_reference character varying(128) NOT NULL,
    status character varying(8) NOT NULL,
    payment_method character varying(8) NOT NULL,
    payment_reason text,
    validity_start timestamp without time zone NOT NULL,
    validity_expiry timestamp without time zone,
    date_installed timestamp without time zone NOT NULL,
    cancelled_at timestamp without time zone,
    cancel_reason character varying(1024)
);

--
-- Name: token_id_seq; Type: SEQUENCE; Schema: fps_fixture_maker; Owner: -
--

CREATE SEQUENCE token_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: token_id_seq; Type: SEQUENCE OWNED BY; Schema: fps_fixture_maker; Owner: -
--

ALTER SEQUENCE token_id_seq OWNED BY token.id;

--
-- Name: usage_limit; Type: TABLE; Schema: fps_fixture_maker; Owner: -
--

CREATE TABLE usage_limit (
    id integer NOT NULL,
    token_pk integer NOT NULL,
    "position" integer NOT NULL,
    kind character varying(6) NOT NULL,
    period_count integer NOT NULL,
    period_unit character varying(5) NOT NULL,
    value bigint NOT NULL
);

--
-- Name: usage_limit_id_seq; Type: SEQUENCE; Schema: fps_fixture_maker; Owner: -
--

CREATE SEQUENCE usage_limit_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: usage_limit_id_seq; Type: SEQUENCE OWNED BY; Schema: fps_fixture_maker; Owner: -
--

ALTER SEQUENCE usage_limit_id_seq OWNED BY usage_limit.id;

--
-- Name: account id; Type: DEFAULT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY account ALTER COLUMN id SET DEFAULT nextval('account_id_seq'::regclass);

--
-- Name: api_call id; Type: DEFAULT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY api_call ALTER COLUMN id SET DEFAULT nextval('api_call_id_seq'::regclass);

--
-- Name: delivery_attempt id; Type: DEFAULT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY delivery_attempt ALTER COLUMN id SET DEFAULT nextval('delivery_attempt_id_seq'::regclass);

--
-- Name: fault id; Type: DEFAULT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY fault ALTER COLUMN id SET DEFAULT nextval('fault_id_seq'::regclass);

--
-- Name: fps_transaction id; Type: DEFAULT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY fps_transaction ALTER COLUMN id SET DEFAULT nextval('fps_transaction_id_seq'::regclass);

--
-- Name: instrument id; Type: DEFAULT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY instrument ALTER COLUMN id SET DEFAULT nextval('instrument_id_seq'::regclass);

--
-- Name: ledger_entry id; Type: DEFAULT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY ledger_entry ALTER COLUMN id SET DEFAULT nextval('ledger_entry_id_seq'::regclass);

--
-- Name: notification id; Type: DEFAULT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY notification ALTER COLUMN id SET DEFAULT nextval('notification_id_seq'::regclass);

--
-- Name: payment_method id; Type: DEFAULT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY payment_method ALTER COLUMN id SET DEFAULT nextval('payment_method_id_seq'::regclass);

--
-- Name: status_history id; Type: DEFAULT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY status_history ALTER COLUMN id SET DEFAULT nextval('status_history_id_seq'::regclass);

--
-- Name: token id; Type: DEFAULT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY token ALTER COLUMN id SET DEFAULT nextval('token_id_seq'::regclass);

--
-- Name: usage_limit id; Type: DEFAULT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY usage_limit ALTER COLUMN id SET DEFAULT nextval('usage_limit_id_seq'::regclass);

--
-- Data for Name: account; Type: TABLE DATA; Schema: fps_fixture_maker; Owner: -
--

INSERT INTO account VALUES (4, 'Rita Reader', 'reader@example.com', 'personal', 'pbkdf2_sha256$100000$reader$438444d38f69e3edbfe251b97df09b3815b8917184640b71a3e5ff19a43fd107', NULL, NULL, 2500, '2026-01-01 00:00:00', NULL, false, false, 0, false, 0);
INSERT INTO account VALUES (5, 'Pat Nocard', 'pat@example.com', 'personal', 'pbkdf2_sha256$100000$pat$4b7905a1206a89c45664fee26cc4add8eedb53dc9eb47d979641cd130f225da1', NULL, NULL, 500, '2026-01-01 00:00:00', NULL, false, false, 0, false, 0);
INSERT INTO account VALUES (3, 'John Smith', 'john@example.com', 'personal', 'pbkdf2_sha256$100000$john$868f70d19d185b9c3d884808d9fd5579a728333d988e57b13fa4f5fb300d811b', NULL, NULL, 9500, '2026-01-01 00:00:00', NULL, false, false, 0, false, 0);
INSERT INTO account VALUES (2, 'The Daily Byte', 'billing@dailybyte.example', 'business', NULL, 'AKIAI44QH8DHBEXAMPLE', 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY', 185, '2026-01-01 00:00:00', NULL, false, false, 0, false, 0);
INSERT INTO account VALUES (1, 'DigitalDownload', 'payments@digitaldownload.example', 'business', NULL, 'AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 1440, '2026-01-01 00:00:00', 'https://merchant.example.com/ipn', true, false, 0, false, 0);

--
-- Data for Name: api_call; Type: TABLE DATA; Schema: fps_fixture_maker; Owner: -
--

INSERT INTO api_call VALUES (1, '743c69ba23944472bfda02bbf703d3c5', '2026-11-30 05:14:37.505283', 'cbui', 'SetupPrepaid', 1, 'AKIAIOSFODNN7EXAMPLE', 'GET', 'localhost', '/cobranded-ui/actions/start', '{"callerKey": "AKIAIOSFODNN7EXAMPLE", "pipelineName": "SetupPrepaid", "version": "2009-01-09", "signatureVersion": "2", "signatureMethod": "HmacSHA256", "callerReferenceFunding": "fund-1", "callerReferenceSender": "sender-1", "fundingAmount": "10.00", "paymentMethod": "ABT,CC,ACH", "returnURL": "https://merchant.example.com/fps/return?order=42", "signature": "8PJqWsYLEdVKaKIeW89D3zXjOkjJIB7C9XfqnIcw/gI="}', 'ok', NULL, NULL, 302, NULL, '/cobranded-ui/pipeline/23rjaxq1n1j20otygt2j2y4md22qdhwk/sign-in', 5, NULL);
INSERT INTO api_call VALUES (2, '2e6a116e-84ae-4595-a9a1-bf05757abb05', '2026-11-30 05:14:37.610236', 'api', 'FundPrepaid', 1, 'AKIAIOSFODNN7EXAMPLE', 'POST', 'localhost', '/', '{"Action": "FundPrepaid", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.585Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "EVMJQ7JO5WJRRFNL2LX87NVLOR27KAQCB1EZN74CG8WP23RQDNFWVFWDDXQ6WZE3", "PrepaidInstrumentId": "8VHXM76SXZ29BNVKVD5SEXLHREH5ZA2AL6WLNOE9BP0O9I96Y6Q32SQZOD0JR2GA", "CallerReference": "fund-card", "FundingAmount.Value": "10.00", "Signature": "et5P2uRRb9jPg65Z8upUOaEeM1bo+XLt/CU1akLF9Es="}', 'ok', NULL, NULL, 200, NULL, '<?xml version="1.0"?>
<FundPrepaidResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><FundPrepaidResult><TransactionId>14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU</TransactionId><TransactionStatus>Success</TransactionStatus></FundPrepaidResult><ResponseMetadata><RequestId>2e6a116e-84ae-4595-a9a1-bf05757abb05:0</RequestId></ResponseMetadata></FundPrepaidResponse>', 24, '14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU');
INSERT INTO api_call VALUES (3, '532c2f51-74bb-4585-8420-bb77915700f9', '2026-11-30 05:14:37.620702', 'api', 'Pay', 1, 'AKIAIOSFODNN7EXAMPLE', 'POST', 'localhost', '/', '{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.612Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "song-0", "TransactionAmount.Value": "0.50", "Signature": "x1IlvtIzVzYNKdRRnVOARxON6cr+i4T2DHxjQFs4dm0="}', 'ok', NULL, NULL, 200, NULL, '<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>147KQ05GXEE9B71Y0XKPH422HVJ209ZY1DV</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>532c2f51-74bb-4585-8420-bb77915700f9:0</RequestId></ResponseMetadata></PayResponse>', 7, '147KQ05GXEE9B71Y0XKPH422HVJ209ZY1DV');
INSERT INTO api_call VALUES (4, '10fba3bb-de35-4662-9691-59a113894a61', '2026-11-30 05:14:37.627243', 'api', 'Pay', 1, 'AKIAIOSFODNN7EXAMPLE', 'POST', 'localhost', '/', '{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.622Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "song-1", "TransactionAmount.Value": "0.50", "Signature": "BPSARRI9bGud2lWZmMvCUCzVxSI5ZrdHqMBnmZa3H88="}', 'ok', NULL, NULL, 200, NULL, '<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>14BNE8B78P3BFACA3DVJEPG9NVUWRJE5GQ3</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>10fba3bb-de35-4662-9691-59a113894a61:0</RequestId></ResponseMetadata></PayResponse>', 4, '14BNE8B78P3BFACA3DVJEPG9NVUWRJE5GQ3');
INSERT INTO api_call VALUES (5, '7bbdc118-4b8f-4df7-9470-8c2d22f46129', '2026-11-30 05:14:37.632741', 'api', 'Pay', 1, 'AKIAIOSFODNN7EXAMPLE', 'POST', 'localhost', '/', '{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.628Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "song-2", "TransactionAmount.Value": "0.50", "Signature": "jEJaE0RON2a6WeOQX2aACFh2BQC+0BCZXVGeG9oUfEU="}', 'ok', NULL, NULL, 200, NULL, '<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>14U83SEVR5TY3Q46F754MJEN4NAKCW17DNE</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>7bbdc118-4b8f-4df7-9470-8c2d22f46129:0</RequestId></ResponseMetadata></PayResponse>', 3, '14U83SEVR5TY3Q46F754MJEN4NAKCW17DNE');
INSERT INTO api_call VALUES (6, '6eee671c-80c6-44f2-b96b-6608ccd0afed', '2026-11-30 05:14:37.638594', 'api', 'Pay', 1, 'AKIAIOSFODNN7EXAMPLE', 'POST', 'localhost', '/', '{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.633Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "song-3", "TransactionAmount.Value": "0.50", "Signature": "zCeA2tEWOjlQgfZdoTl5/nF0UrdkiFwBh/4QgtDArmE="}', 'ok', NULL, NULL, 200, NULL, '<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>1464S8S1RN94V5X2CEDVZFSEY2D9XEMF07G</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>6eee671c-80c6-44f2-b96b-6608ccd0afed:0</RequestId></ResponseMetadata></PayResponse>', 4, '1464S8S1RN94V5X2CEDVZFSEY2D9XEMF07G');
INSERT INTO api_call VALUES (7, '250b5035-76ef-4602-abc0-68098d44a3ef', '2026-11-30 05:14:37.645152', 'api', 'Pay', 1, 'AKIAIOSFODNN7EXAMPLE', 'POST', 'localhost', '/', '{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.640Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "song-4", "TransactionAmount.Value": "0.50", "Signature": "uzT+9flD+oF8XjjhkfNawQjOqdGqOTcGGersm26eSdU="}', 'ok', NULL, NULL, 200, NULL, '<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>14GW40QDWQ2U08W6JA5B9QCJZNWD4N3FYQO</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>250b5035-76ef-4602-abc0-68098d44a3ef:0</RequestId></ResponseMetadata></PayResponse>', 4, '14GW40QDWQ2U08W6JA5B9QCJZNWD4N3FYQO');
INSERT INTO api_call VALUES (8, '6cadbed6-00ca-4135-9d38-145dc3cc5d1f', '2026-11-30 05:14:37.655632', 'api', 'Refund', 1, 'AKIAIOSFODNN7EXAMPLE', 'POST', 'localhost', '/', '{"Action": "Refund", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.646Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "TransactionId": "147KQ05GXEE9B71Y0XKPH422HVJ209ZY1DV", "CallerReference": "refund-1", "RefundAmount.Value": "0.25", "Signature": "Yf4rzQQXZpp1IYc1ientNwccUXatWfBBD41z878HJrk="}', 'ok', NULL, NULL, 200, NULL, '<?xml version="1.0"?>
<RefundResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><RefundResult><TransactionId>14AT4DQA98YRCEZ295PJTMT5Q9ZB0XWA5RT</TransactionId><TransactionStatus>Success</TransactionStatus></RefundResult><ResponseMetadata><RequestId>6cadbed6-00ca-4135-9d38-145dc3cc5d1f:0</RequestId></ResponseMetadata></RefundResponse>', 8, '14AT4DQA98YRCEZ295PJTMT5Q9ZB0XWA5RT');
INSERT INTO api_call VALUES (9, '63041f2207164b338a41d6761e2ce2b2', '2026-11-30 05:14:37.659997', 'cbui', 'SetupPrepaid', 1, 'AKIAIOSFODNN7EXAMPLE', 'GET', 'localhost', '/cobranded-ui/actions/start', '{"callerKey": "AKIAIOSFODNN7EXAMPLE", "pipelineName": "SetupPrepaid", "version": "2009-01-09", "signatureVersion": "2", "signatureMethod": "HmacSHA256", "callerReferenceFunding": "fund-2", "callerReferenceSender": "sender-2", "fundingAmount": "5.00", "paymentMethod": "ABT,CC,ACH", "returnURL": "https://merchant.example.com/fps/return?order=42", "signature": "HIhn8kZTxvrm0QSvtTXF98BnoMkGXOTqQ6e35yYAv0Y="}', 'ok', NULL, NULL, 302, NULL, '/cobranded-ui/pipeline/gbahkfc0z5h0vd5mgg7hntmxdpvwvjw8/sign-in', 2, NULL);
INSERT INTO api_call VALUES (10, '0aa660c1-3f27-4fc5-8c00-6618c2697f48', '2026-11-30 05:14:37.729543', 'api', 'FundPrepaid', 1, 'AKIAIOSFODNN7EXAMPLE', 'POST', 'localhost', '/', '{"Action": "FundPrepaid", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.719Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "LWGGEYFIMUXVVG60OOUEX6NRJ6NMZN6OVKVQD6FUYQLQ9A5VRWX39SMN6RCVEMXW", "PrepaidInstrumentId": "RX4JJ8KPN9T6FJXLXSCEPTGJAJLNV4Z0KR06IABS5F2X56D2EEORCJGEDAHLPZWR", "CallerReference": "fund-abt", "FundingAmount.Value": "5.00", "Signature": "PnkIg9DZpQT+0ExERDp8ta+C3tN2dE1HoZGN6BYL2CE="}', 'ok', NULL, NULL, 200, NULL, '<?xml version="1.0"?>
<FundPrepaidResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><FundPrepaidResult><TransactionId>14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X</TransactionId><TransactionStatus>Success</TransactionStatus></FundPrepaidResult><ResponseMetadata><RequestId>0aa660c1-3f27-4fc5-8c00-6618c2697f48:0</RequestId></ResponseMetadata></FundPrepaidResponse>', 9, '14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X');
INSERT INTO api_call VALUES (11, '569b1c80-99d6-4ce8-881c-91504d24db20', '2026-11-30 05:14:37.736469', 'api', 'CancelToken', 1, 'AKIAIOSFODNN7EXAMPLE', 'POST', 'localhost', '/', '{"Action": "CancelToken", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.731Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "TokenId": "T3V83J2M8WPG4MA2ABBXUR7QH9DBI9PMNN1WKG3USH9T7YWA64CCYYG9DURLYP11", "ReasonText": "lesson over", "Signature": "ku9QSXphR9YPMfxNeQSUjkCP5EnVwl8Zc9FtFR7rAeY="}', 'ok', NULL, NULL, 200, NULL, '<?xml version="1.0"?>
<CancelTokenResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><ResponseMetadata><RequestId>569b1c80-99d6-4ce8-881c-91504d24db20:0</RequestId></ResponseMetadata></CancelTokenResponse>', 4, NULL);
INSERT INTO api_call VALUES (12, '8a67825557ac443994c003bce0cd1259', '2026-11-30 05:14:37.740937', 'cbui', 'SetupPostpaid', 2, 'AKIAI44QH8DHBEXAMPLE', 'GET', 'localhost', '/cobranded-ui/actions/start', '{"callerKey": "AKIAI44QH8DHBEXAMPLE", "pipelineName": "SetupPostpaid", "version": "2009-01-09", "signatureVersion": "2", "signatureMethod": "HmacSHA256", "callerReferenceSender": "reader-1", "callerReferenceSettlement": "settle-1", "creditLimit": "20.00", "globalAmountLimit": "100.00", "paymentMethod": "CC", "returnURL": "https://merchant.example.com/fps/return?order=42", "signature": "O4+JNgT790N/VyJ6+ADQnurHOMko9B3TtMRTPQTA4cI="}', 'ok', NULL, NULL, 302, NULL, '/cobranded-ui/pipeline/l0omokf8vxvswactqahk84bnmek97j2e/sign-in', 2, NULL);
INSERT INTO api_call VALUES (13, '4aad346f-68a9-49d2-8a74-7c4afb52292e', '2026-11-30 05:14:37.802437', 'api', 'Pay', 2, 'AKIAI44QH8DHBEXAMPLE', 'POST', 'localhost', '/', '{"Action": "Pay", "AWSAccessKeyId": "AKIAI44QH8DHBEXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.794Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "HY02AW4BA5YZ1VHFAXX9IFN7I5W1E2O0BKUJTDJWL9NKOWL9HV5JIS444ZC7FASA", "CallerReference": "article-0", "TransactionAmount.Value": "1.00", "Signature": "dbRHPTm+aaLLIc1W/E29FouCEXAo1Iu6u33KxgpjjiM="}', 'ok', NULL, NULL, 200, NULL, '<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>14LP3BJ0IITJFB93IEST7NE4FIH58NWZQ3L</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>4aad346f-68a9-49d2-8a74-7c4afb52292e:0</RequestId></ResponseMetadata></PayResponse>', 7, '14LP3BJ0IITJFB93IEST7NE4FIH58NWZQ3L');
INSERT INTO api_call VALUES (14, 'ffd16c57-212d-43c2-ba9c-a0730e2f72f0', '2026-11-30 05:14:37.809242', 'api', 'Pay', 2, 'AKIAI44QH8DHBEXAMPLE', 'POST', 'localhost', '/', '{"Action": "Pay", "AWSAccessKeyId": "AKIAI44QH8DHBEXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.803Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "HY02AW4BA5YZ1VHFAXX9IFN7I5W1E2O0BKUJTDJWL9NKOWL9HV5JIS444ZC7FASA", "CallerReference": "article-1", "TransactionAmount.Value": "1.00", "Signature": "ItOSQAsJa3BsH7gtbfXLbBAvNAsTeZbNnocIpwXFBzY="}', 'ok', NULL, NULL, 200, NULL, '<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>140FFFG8IXA50Y9B1E7ALTQ2C5A82ABEDFH</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>ffd16c57-212d-43c2-ba9c-a0730e2f72f0:0</RequestId></ResponseMetadata></PayResponse>', 5, '140FFFG8IXA50Y9B1E7ALTQ2C5A82ABEDFH');
INSERT INTO api_call VALUES (15, 'e9730d4e-cbd3-49a2-a4db-1075b9ee5ce1', '2026-11-30 05:14:37.815739', 'api', 'Pay', 2, 'AKIAI44QH8DHBEXAMPLE', 'POST', 'localhost', '/', '{"Action": "Pay", "AWSAccessKeyId": "AKIAI44QH8DHBEXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.810Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "HY02AW4BA5YZ1VHFAXX9IFN7I5W1E2O0BKUJTDJWL9NKOWL9HV5JIS444ZC7FASA", "CallerReference": "article-2", "TransactionAmount.Value": "1.00", "Signature": "7n8e4/h6Szuq65yy0KgBWTcltGdc7eb/t2lLtGpur60="}', 'ok', NULL, NULL, 200, NULL, '<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>14SRI9VS3W53M5WALYZZ106J663IV44HBTC</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>e9730d4e-cbd3-49a2-a4db-1075b9ee5ce1:0</RequestId></ResponseMetadata></PayResponse>', 4, '14SRI9VS3W53M5WALYZZ106J663IV44HBTC');
INSERT INTO api_call VALUES (16, '685a0c2d-b972-467b-a387-c82a0c636d28', '2026-11-30 05:14:37.82875', 'api', 'SettleDebt', 2, 'AKIAI44QH8DHBEXAMPLE', 'POST', 'localhost', '/', '{"Action": "SettleDebt", "AWSAccessKeyId": "AKIAI44QH8DHBEXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.816Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "CreditInstrumentId": "WDXV9U6IWHC9AMLH41NU3CX4VSIGGMK2FE2QE3BNOSI7ULWNUVI5D7PSDSLWYDC6", "SenderTokenId": "BG9J47IDHXYL2CANX4868WPBU62QX19ZV88A8KAKEA2NE0HMOL0G3QPL7IOJEAY3", "CallerReference": "settle-1", "SettlementAmount.Value": "2.00", "Signature": "xGTq7+EE5z/9ONdaRBiA/zqg2AiJQBV7GGSHGcJePCs="}', 'ok', NULL, NULL, 200, NULL, '<?xml version="1.0"?>
<SettleDebtResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><SettleDebtResult><TransactionId>14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0</TransactionId><TransactionStatus>Success</TransactionStatus></SettleDebtResult><ResponseMetadata><RequestId>685a0c2d-b972-467b-a387-c82a0c636d28:0</RequestId></ResponseMetadata></SettleDebtResponse>', 11, '14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0');
INSERT INTO api_call VALUES (17, 'e15df149-0cdd-4817-adc4-e6620900bdb8', '2026-11-30 05:14:37.837043', 'api', 'WriteOffDebt', 2, 'AKIAI44QH8DHBEXAMPLE', 'POST', 'localhost', '/', '{"Action": "WriteOffDebt", "AWSAccessKeyId": "AKIAI44QH8DHBEXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.830Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "CreditInstrumentId": "WDXV9U6IWHC9AMLH41NU3CX4VSIGGMK2FE2QE3BNOSI7ULWNUVI5D7PSDSLWYDC6", "CallerReference": "write-off-1", "AdjustmentAmount.Value": "1.00", "Signature": "Wn0Gx13pqbGRzmZxRV0bit6KdfmbfPSusxygUQZViTg="}', 'ok', NULL, NULL, 200, NULL, '<?xml version="1.0"?>
<WriteOffDebtResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><WriteOffDebtResult><TransactionId>14Y6WK3JAL8A4ZXWHR94PQPNNH7AFV4YFR9</TransactionId><TransactionStatus>Success</TransactionStatus></WriteOffDebtResult><ResponseMetadata><RequestId>e15df149-0cdd-4817-adc4-e6620900bdb8:0</RequestId></ResponseMetadata></WriteOffDebtResponse>', 6, '14Y6WK3JAL8A4ZXWHR94PQPNNH7AFV4YFR9');
INSERT INTO api_call VALUES (18, '2182284c-5170-4dfe-90e4-9ec4ff0a94ea', '2026-11-30 05:14:37.842351', 'api', 'Pay', 1, 'AKIAIOSFODNN7EXAMPLE', 'POST', 'localhost', '/', '{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.838Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "too-much", "TransactionAmount.Value": "50.00", "Signature": "PeAx1LYu8U87bLi/7u1wBv799azn53JySpUzUCNiTSA="}', 'ok', NULL, NULL, 400, 'InsufficientBalance', '<?xml version="1.0"?>
<Response><Errors><Error><Code>InsufficientBalance</Code><Message>The transaction exceeds the account/instrument limits. The prepaid balance is $7.75.</Message></Error></Errors><RequestID>2182284c-5170-4dfe-90e4-9ec4ff0a94ea</RequestID></Response>', 3, NULL);
INSERT INTO api_call VALUES (19, 'b39475a4-1eb3-4ba7-b008-b4e3b5fff5a7', '2026-12-02 05:14:37.888549', 'api', 'Pay', 1, 'AKIAIOSFODNN7EXAMPLE', 'POST', 'localhost', '/', '{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.881Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "after-the-fold", "TransactionAmount.Value": "0.01", "Signature": "vHHtsOf4YbZ6oPB5l6ciBPsnTdPGQgkUPvzqciNjD+M="}', 'ok', NULL, NULL, 200, NULL, '<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>145I99F4HBO90G4K2TXRXV7R4SDW5PPWJIS</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>b39475a4-1eb3-4ba7-b008-b4e3b5fff5a7:0</RequestId></ResponseMetadata></PayResponse>', 5, '145I99F4HBO90G4K2TXRXV7R4SDW5PPWJIS');

--
-- Data for Name: book_total; Type: TABLE DATA; Schema: fps_fixture_maker; Owner: -
--

INSERT INTO book_total VALUES ('balance:1', 1440, 2);
INSERT INTO book_total VALUES ('balance:2', 185, 1);
INSERT INTO book_total VALUES ('balance:3', 9500, 2);
INSERT INTO book_total VALUES ('balance:4', 2500, 1);
INSERT INTO book_total VALUES ('balance:5', 500, 1);
INSERT INTO book_total VALUES ('clearing', 0, 9);
INSERT INTO book_total VALUES ('credit_sales:2', -100, 4);
INSERT INTO book_total VALUES ('fee_revenue', 75, 3);
INSERT INTO book_total VALUES ('funding:CC:1', -1000, 1);
INSERT INTO book_total VALUES ('funding:CC:3', -200, 1);
INSERT INTO book_total VALUES ('opening', -13000, 3);
INSERT INTO book_total VALUES ('prepaid:1', 775, 7);
INSERT INTO book_total VALUES ('prepaid:2', 500, 1);
INSERT INTO book_total VALUES ('prepaid_liability:1', -1275, 8);
INSERT INTO book_total VALUES ('receivable:3', 0, 5);
INSERT INTO book_total VALUES ('written_off:2', 100, 1);

--
-- Data for Name: caller_total; Type: TABLE DATA; Schema: fps_fixture_maker; Owner: -
--

INSERT INTO caller_total VALUES (1, 'FundPrepaid', 'Success', 2, 1500, 60);
INSERT INTO caller_total VALUES (1, 'Pay', 'Success', 5, 250, 0);
INSERT INTO caller_total VALUES (1, 'Refund', 'Success', 1, 25, 0);
INSERT INTO caller_total VALUES (2, 'Pay', 'Success', 3, 300, 0);
INSERT INTO caller_total VALUES (2, 'SettleDebt', 'Success', 1, 200, 15);
INSERT INTO caller_total VALUES (2, 'WriteOffDebt', 'Success', 1, 100, 0);

--
-- Data for Name: cbui_pipeline; Type: TABLE DATA; Schema: fps_fixture_maker; Owner: -
--

INSERT INTO cbui_pipeline VALUES ('23rjaxq1n1j20otygt2j2y4md22qdhwk', 1, 'SetupPrepaid', '{"callerReferenceFunding": "fund-1", "callerReferenceSender": "sender-1", "fundingAmount": 1000, "currencyCode": "USD", "paymentMethod": ["ABT", "ACH", "CC"], "validityStart": "2026-11-30 05:14:37.503053", "validityExpiry": null, "returnURL": "https://merchant.example.com/fps/return?order=42", "pipelineName": "SetupPrepaid"}', 3, 'CC', 1, 'done', '2026-11-30 05:14:37.50342');
INSERT INTO cbui_pipeline VALUES ('gbahkfc0z5h0vd5mgg7hntmxdpvwvjw8', 1, 'SetupPrepaid', '{"callerReferenceFunding": "fund-2", "callerReferenceSender": "sender-2", "fundingAmount": 500, "currencyCode": "USD", "paymentMethod": ["ABT", "ACH", "CC"], "validityStart": "2026-11-30 05:14:37.658442", "validityExpiry": null, "returnURL": "https://merchant.example.com/fps/return?order=42", "pipelineName": "SetupPrepaid"}', 3, 'ABT', NULL, 'done', '2026-11-30 05:14:37.658627');
INSERT INTO cbui_pipeline VALUES ('l0omokf8vxvswactqahk84bnmek97j2e', 2, 'SetupPostpaid', '{"callerReferenceSender": "reader-1", "callerReferenceSettlement": "settle-1", "creditLimit": 2000, "globalAmountLimit": 10000, "usageLimits": [], "currencyCode": "USD", "paymentMethod": ["CC"], "validityStart": "2026-11-30 05:14:37.739361", "validityExpiry": null, "returnURL": "https://merchant.example.com/fps/return?order=42", "pipelineName": "SetupPostpaid"}', 4, 'CC', 3, 'done', '2026-11-30 05:14:37.739564');

--
-- Data for Name: delivery_attempt; Type: TABLE DATA; Schema: fps_fixture_maker; Owner: -
--

--
-- Data for Name: fault; Type: TABLE DATA; Schema: fps_fixture_maker; Owner: -
--

INSERT INTO fault VALUES (1, 'Refund', 'error', 'InternalError', 2, NULL, 0, 0, '2026-11-30 05:14:37.847268');

--
-- Data for Name: fps_transaction; Type: TABLE DATA; Schema: fps_fixture_maker; Owner: -
--

INSERT INTO fps_transaction VALUES (1, '14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU', 'fund-card', '38ea1bfbd35b170d52a3f065d4e3e004b27653aa2318b8a013ff2d180db51443', 'FundPrepaid', 'CC', 1, 3, 1, 1, 1, 1000, 30, 'Recipient', 'Success', 'Success', 'The transaction was successful and the payment instrument was charged.', NULL, NULL, '2026-11-30 05:14:37.588337', '2026-11-30 05:14:37.588337', NULL, NULL, NULL, NULL);
INSERT INTO fps_transaction VALUES (2, '147KQ05GXEE9B71Y0XKPH422HVJ209ZY1DV', 'song-0', '9193129ed24fec223de431e54c6607f7a1c186263187be00060c1ab513578937', 'Pay', 'Prepaid', 1, 3, 1, 1, 2, 50, 0, 'Recipient', 'Success', 'Success', 'The transaction was successful and the payment instrument was charged.', NULL, NULL, '2026-11-30 05:14:37.613892', '2026-11-30 05:14:37.613892', NULL, NULL, NULL, NULL);
INSERT INTO fps_transaction VALUES (3, '14BNE8B78P3BFACA3DVJEPG9NVUWRJE5GQ3', 'song-1', '66a5528cc6ca3dbe11c7c3659251d730c4c07004dc85bd7e0d8d3355fef1a18e', 'Pay', 'Prepaid', 1, 3, 1, 1, 2, 50, 0, 'Recipient', 'Success', 'Success', 'The transaction was successful and the payment instrument was charged.', NULL, NULL, '2026-11-30 05:14:37.62398', '2026-11-30 05:14:37.62398', NULL, NULL, NULL, NULL);
INSERT INTO fps_transaction VALUES (4, '14U83SEVR5TY3Q46F754MJEN4NAKCW17DNE', 'song-2', '798f202c5d671c5754c007741fe3b19bd47de8897ec3eeecc914881f5c39d0bb', 'Pay', 'Prepaid', 1, 3, 1, 1, 2, 50, 0, 'Recipient', 'Success', 'Success', 'The transaction was successful and the payment instrument was charged.', NULL, NULL, '2026-11-30 05:14:37.62971', '2026-11-30 05:14:37.62971', NULL, NULL, NULL, NULL);
INSERT INTO fps_transaction VALUES (5, '1464S8S1RN94V5X2CEDVZFSEY2D9XEMF07G', 'song-3', 'afcf24ec966b846306b9ece6761b93641208818d467b1b240cb166177b144183', 'Pay', 'Prepaid', 1, 3, 1, 1, 2, 50, 0, 'Recipient', 'Success', 'Success', 'The transaction was successful and the payment instrument was charged.', NULL, NULL, '2026-11-30 05:14:37.635213', '2026-11-30 05:14:37.635213', NULL, NULL, NULL, NULL);
INSERT INTO fps_transaction VALUES (6, '14GW40QDWQ2U08W6JA5B9QCJZNWD4N3FYQO', 'song-4', 'a5bb8ef4251590bfeb3f1c618524026d73929f7e42dfec2381e125fab11c9691', 'Pay', 'Prepaid', 1, 3, 1, 1, 2, 50, 0, 'Recipient', 'Success', 'Success', 'The transaction was successful and the payment instrument was charged.', NULL, NULL, '2026-11-30 05:14:37.641573', '2026-11-30 05:14:37.641573', NULL, NULL, NULL, NULL);
INSERT INTO fps_transaction VALUES (7, '14AT4DQA98YRCEZ295PJTMT5Q9ZB0XWA5RT', 'refund-1', 'a03888b9d37cae41c0107fdddc6902e879984dd366563c826186dd856a2a7833', 'Refund', 'Prepaid', 1, 3, 1, 1, NULL, 25, 0, 'Recipient', 'Success', 'Success', 'The transaction was successful and the payment instrument was charged.', NULL, NULL, '2026-11-30 05:14:37.647783', '2026-11-30 05:14:37.647783', 2, NULL, NULL, NULL);
INSERT INTO fps_transaction VALUES (8, '14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X', 'fund-abt', 'a8140afacebee3adcb7141043236bd30b221d5c4eabf8a8ff0bc072fe99e6d3e', 'FundPrepaid', 'ABT', 1, 3, 1, 2, 3, 500, 30, 'Recipient', 'Success', 'Success', 'The transaction was successful and the payment instrument was charged.', NULL, NULL, '2026-11-30 05:14:37.720887', '2026-11-30 05:14:37.720887', NULL, NULL, NULL, NULL);
INSERT INTO fps_transaction VALUES (9, '14LP3BJ0IITJFB93IEST7NE4FIH58NWZQ3L', 'article-0', 'd04af1ea274f2520293873ef851d5fbacb639f8d1e91adbdcc04265054968ecb', 'Pay', 'Debt', 2, 4, 2, 3, 5, 100, 0, 'Recipient', 'Success', 'Success', 'The transaction was successful and the payment instrument was charged.', NULL, NULL, '2026-11-30 05:14:37.796069', '2026-11-30 05:14:37.796069', NULL, NULL, NULL, NULL);
INSERT INTO fps_transaction VALUES (10, '140FFFG8IXA50Y9B1E7ALTQ2C5A82ABEDFH', 'article-1', '434e3709270754a060d3b267259fec2107a2a350f7e0a8c447373d89dc5f8bd8', 'Pay', 'Debt', 2, 4, 2, 3, 5, 100, 0, 'Recipient', 'Success', 'Success', 'The transaction was successful and the payment instrument was charged.', NULL, NULL, '2026-11-30 05:14:37.805054', '2026-11-30 05:14:37.805054', NULL, NULL, NULL, NULL);
INSERT INTO fps_transaction VALUES (11, '14SRI9VS3W53M5WALYZZ106J663IV44HBTC', 'article-2', 'f8970540e80d213b29c6a009d3738a8140c0f90516cb974449e2c3e8c3c6bb68', 'Pay', 'Debt', 2, 4, 2, 3, 5, 100, 0, 'Recipient', 'Success', 'Success', 'The transaction was successful and the payment instrument was charged.', NULL, NULL, '2026-11-30 05:14:37.811599', '2026-11-30 05:14:37.811599', NULL, NULL, NULL, NULL);
INSERT INTO fps_transaction VALUES (12, '14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0', 'settle-1', 'c9aea7342febccccd5c0ef5b1ca68f596e2bb230035c303a0b24b35668dfb1e9', 'SettleDebt', 'CC', 2, 4, 2, 3, 6, 200, 15, 'Recipient', 'Success', 'Success', 'The transaction was successful and the payment instrument was charged.', NULL, NULL, '2026-11-30 05:14:37.818137', '2026-11-30 05:14:37.818137', NULL, NULL, NULL, NULL);
INSERT INTO fps_transaction VALUES (13, '14Y6WK3JAL8A4ZXWHR94PQPNNH7AFV4YFR9', 'write-off-1', 'b2f5934722e325aa9c2f3bd349c9bc8092c11b7d7f56bebf27730b870a957f2e', 'WriteOffDebt', 'Debt', 2, 4, 2, 3, NULL, 100, 0, 'Recipient', 'Success', 'Success', 'The transaction was successful and the payment instrument was charged.', NULL, NULL, '2026-11-30 05:14:37.831535', '2026-11-30 05:14:37.831535', NULL, NULL, NULL, NULL);
INSERT INTO fps_transaction VALUES (14, '145I99F4HBO90G4K2TXRXV7R4SDW5PPWJIS', 'after-the-fold', '5cc73ca34a961023bca998175f1f28a4b3632dce44536b3603b593af9622e5e2', 'Pay', 'Prepaid', 1, 3, 1, 1, 2, 1, 0, 'Recipient', 'Success', 'Success', 'The transaction was successful and the payment instrument was charged.', NULL, NULL, '2026-12-02 05:14:37.884662', '2026-12-02 05:14:37.884662', NULL, NULL, NULL, NULL);

--
-- Data for Name: instrument; Type: TABLE DATA; Schema: fps_fixture_maker; Owner: -
--

INSERT INTO instrument VALUES (2, 'RX4JJ8KPN9T6FJXLXSCEPTGJAJLNV4Z0KR06IABS5F2X56D2EEORCJGEDAHLPZWR', 'Prepaid', 1, 3, 1, 'USD', 500, 500, 500, 0, NULL, 'ABT', NULL, NULL, '2026-11-30 05:14:37.658442', NULL, '2026-11-30 05:14:37.713548');
INSERT INTO instrument VALUES (3, 'WDXV9U6IWHC9AMLH41NU3CX4VSIGGMK2FE2QE3BNOSI7ULWNUVI5D7PSDSLWYDC6', 'Credit', 2, 4, 2, 'USD', 2000, 0, 0, 0, 10000, 'CC', 3, NULL, '2026-11-30 05:14:37.739361', NULL, '2026-11-30 05:14:37.787702');
INSERT INTO instrument VALUES (1, '8VHXM76SXZ29BNVKVD5SEXLHREH5ZA2AL6WLNOE9BP0O9I96Y6Q32SQZOD0JR2GA', 'Prepaid', 1, 3, 1, 'USD', 1000, 774, 1000, 0, NULL, 'CC', 1, NULL, '2026-11-30 05:14:37.503053', NULL, '2026-11-30 05:14:37.576159');

--
-- Data for Name: ledger_entry; Type: TABLE DATA; Schema: fps_fixture_maker; Owner: -
--

INSERT INTO ledger_entry VALUES (1, 'OPENING-3', NULL, 'opening', -10000, 'opening balance of the demo world', '2026-01-01 00:00:00');
INSERT INTO ledger_entry VALUES (2, 'OPENING-3', NULL, 'balance:3', 10000, 'opening balance of the demo world', '2026-01-01 00:00:00');
INSERT INTO ledger_entry VALUES (3, 'OPENING-4', NULL, 'opening', -2500, 'opening balance of the demo world', '2026-01-01 00:00:00');
INSERT INTO ledger_entry VALUES (4, 'OPENING-4', NULL, 'balance:4', 2500, 'opening balance of the demo world', '2026-01-01 00:00:00');
INSERT INTO ledger_entry VALUES (5, 'OPENING-5', NULL, 'opening', -500, 'opening balance of the demo world', '2026-01-01 00:00:00');
INSERT INTO ledger_entry VALUES (6, 'OPENING-5', NULL, 'balance:5', 500, 'opening balance of the demo world', '2026-01-01 00:00:00');
INSERT INTO ledger_entry VALUES (7, '14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU', 1, 'funding:CC:1', -1000, 'buyer pays by CC', '2026-11-30 05:14:37.588337');
INSERT INTO ledger_entry VALUES (8, '14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU', 1, 'clearing', 1000, 'buyer pays by CC', '2026-11-30 05:14:37.588337');
INSERT INTO ledger_entry VALUES (9, '14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU', 1, 'clearing', -970, 'recipient receives net', '2026-11-30 05:14:37.588337');
INSERT INTO ledger_entry VALUES (10, '14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU', 1, 'balance:1', 970, 'recipient receives net', '2026-11-30 05:14:37.588337');
INSERT INTO ledger_entry VALUES (11, '14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU', 1, 'clearing', -30, 'FPS fee (2.9% + $0.01)', '2026-11-30 05:14:37.588337');
INSERT INTO ledger_entry VALUES (12, '14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU', 1, 'fee_revenue', 30, 'FPS fee (2.9% + $0.01)', '2026-11-30 05:14:37.588337');
INSERT INTO ledger_entry VALUES (13, '14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU', 1, 'prepaid_liability:1', -1000, 'prepaid value issued to the buyer', '2026-11-30 05:14:37.588337');
INSERT INTO ledger_entry VALUES (14, '14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU', 1, 'prepaid:1', 1000, 'prepaid value issued to the buyer', '2026-11-30 05:14:37.588337');
INSERT INTO ledger_entry VALUES (15, '147KQ05GXEE9B71Y0XKPH422HVJ209ZY1DV', 2, 'prepaid:1', -50, 'prepaid balance spent', '2026-11-30 05:14:37.613892');
INSERT INTO ledger_entry VALUES (16, '147KQ05GXEE9B71Y0XKPH422HVJ209ZY1DV', 2, 'prepaid_liability:1', 50, 'prepaid balance spent', '2026-11-30 05:14:37.613892');
INSERT INTO ledger_entry VALUES (17, '14BNE8B78P3BFACA3DVJEPG9NVUWRJE5GQ3', 3, 'prepaid:1', -50, 'prepaid balance spent', '2026-11-30 05:14:37.62398');
INSERT INTO ledger_entry VALUES (18, '14BNE8B78P3BFACA3DVJEPG9NVUWRJE5GQ3', 3, 'prepaid_liability:1', 50, 'prepaid balance spent', '2026-11-30 05:14:37.62398');
INSERT INTO ledger_entry VALUES (19, '14U83SEVR5TY3Q46F754MJEN4NAKCW17DNE', 4, 'prepaid:1', -50, 'prepaid balance spent', '2026-11-30 05:14:37.62971');
INSERT INTO ledger_entry VALUES (20, '14U83SEVR5TY3Q46F754MJEN4NAKCW17DNE', 4, 'prepaid_liability:1', 50, 'prepaid balance spent', '2026-11-30 05:14:37.62971');
INSERT INTO ledger_entry VALUES (21, '1464S8S1RN94V5X2CEDVZFSEY2D9XEMF07G', 5, 'prepaid:1', -50, 'prepaid balance spent', '2026-11-30 05:14:37.635213');
INSERT INTO ledger_entry VALUES (22, '1464S8S1RN94V5X2CEDVZFSEY2D9XEMF07G', 5, 'prepaid_liability:1', 50, 'prepaid balance spent', '2026-11-30 05:14:37.635213');
INSERT INTO ledger_entry VALUES (23, '14GW40QDWQ2U08W6JA5B9QCJZNWD4N3FYQO', 6, 'prepaid:1', -50, 'prepaid balance spent', '2026-11-30 05:14:37.641573');
INSERT INTO ledger_entry VALUES (24, '14GW40QDWQ2U08W6JA5B9QCJZNWD4N3FYQO', 6, 'prepaid_liability:1', 50, 'prepaid balance spent', '2026-11-30 05:14:37.641573');
INSERT INTO ledger_entry VALUES (25, '14AT4DQA98YRCEZ295PJTMT5Q9ZB0XWA5RT', 7, 'prepaid_liability:1', -25, 'reversal: prepaid balance restored', '2026-11-30 05:14:37.647783');
INSERT INTO ledger_entry VALUES (26, '14AT4DQA98YRCEZ295PJTMT5Q9ZB0XWA5RT', 7, 'prepaid:1', 25, 'reversal: prepaid balance restored', '2026-11-30 05:14:37.647783');
INSERT INTO ledger_entry VALUES (27, '14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X', 8, 'balance:3', -500, 'buyer pays by ABT', '2026-11-30 05:14:37.720887');
INSERT INTO ledger_entry VALUES (28, '14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X', 8, 'clearing', 500, 'buyer pays by ABT', '2026-11-30 05:14:37.720887');
INSERT INTO ledger_entry VALUES (29, '14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X', 8, 'clearing', -470, 'recipient receives net', '2026-11-30 05:14:37.720887');
INSERT INTO ledger_entry VALUES (30, '14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X', 8, 'balance:1', 470, 'recipient receives net', '2026-11-30 05:14:37.720887');
INSERT INTO ledger_entry VALUES (31, '14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X', 8, 'clearing', -30, 'FPS fee (5.0% + $0.05)', '2026-11-30 05:14:37.720887');
INSERT INTO ledger_entry VALUES (32, '14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X', 8, 'fee_revenue', 30, 'FPS fee (5.0% + $0.05)', '2026-11-30 05:14:37.720887');
INSERT INTO ledger_entry VALUES (33, '14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X', 8, 'prepaid_liability:1', -500, 'prepaid value issued to the buyer', '2026-11-30 05:14:37.720887');
INSERT INTO ledger_entry VALUES (34, '14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X', 8, 'prepaid:2', 500, 'prepaid value issued to the buyer', '2026-11-30 05:14:37.720887');
INSERT INTO ledger_entry VALUES (35, '14LP3BJ0IITJFB93IEST7NE4FIH58NWZQ3L', 9, 'credit_sales:2', -100, 'charged on credit: the buyer owes it', '2026-11-30 05:14:37.796069');
INSERT INTO ledger_entry VALUES (36, '14LP3BJ0IITJFB93IEST7NE4FIH58NWZQ3L', 9, 'receivable:3', 100, 'charged on credit: the buyer owes it', '2026-11-30 05:14:37.796069');
INSERT INTO ledger_entry VALUES (37, '140FFFG8IXA50Y9B1E7ALTQ2C5A82ABEDFH', 10, 'credit_sales:2', -100, 'charged on credit: the buyer owes it', '2026-11-30 05:14:37.805054');
INSERT INTO ledger_entry VALUES (38, '140FFFG8IXA50Y9B1E7ALTQ2C5A82ABEDFH', 10, 'receivable:3', 100, 'charged on credit: the buyer owes it', '2026-11-30 05:14:37.805054');
INSERT INTO ledger_entry VALUES (39, '14SRI9VS3W53M5WALYZZ106J663IV44HBTC', 11, 'credit_sales:2', -100, 'charged on credit: the buyer owes it', '2026-11-30 05:14:37.811599');
INSERT INTO ledger_entry VALUES (40, '14SRI9VS3W53M5WALYZZ106J663IV44HBTC', 11, 'receivable:3', 100, 'charged on credit: the buyer owes it', '2026-11-30 05:14:37.811599');
INSERT INTO ledger_entry VALUES (41, '14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0', 12, 'funding:CC:3', -200, 'buyer pays by CC', '2026-11-30 05:14:37.818137');
INSERT INTO ledger_entry VALUES (42, '14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0', 12, 'clearing', 200, 'buyer pays by CC', '2026-11-30 05:14:37.818137');
INSERT INTO ledger_entry VALUES (43, '14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0', 12, 'clearing', -185, 'recipient receives net', '2026-11-30 05:14:37.818137');
INSERT INTO ledger_entry VALUES (44, '14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0', 12, 'balance:2', 185, 'recipient receives net', '2026-11-30 05:14:37.818137');
INSERT INTO ledger_entry VALUES (45, '14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0', 12, 'clearing', -15, 'FPS fee (5.0% + $0.05)', '2026-11-30 05:14:37.818137');
INSERT INTO ledger_entry VALUES (46, '14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0', 12, 'fee_revenue', 15, 'FPS fee (5.0% + $0.05)', '2026-11-30 05:14:37.818137');
INSERT INTO ledger_entry VALUES (47, '14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0', 12, 'receivable:3', -200, 'debt settled', '2026-11-30 05:14:37.818137');
INSERT INTO ledger_entry VALUES (48, '14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0', 12, 'credit_sales:2', 200, 'debt settled', '2026-11-30 05:14:37.818137');
INSERT INTO ledger_entry VALUES (49, '14Y6WK3JAL8A4ZXWHR94PQPNNH7AFV4YFR9', 13, 'receivable:3', -100, 'debt written off (an expense of the recipient)', '2026-11-30 05:14:37.831535');
INSERT INTO ledger_entry VALUES (50, '14Y6WK3JAL8A4ZXWHR94PQPNNH7AFV4YFR9', 13, 'written_off:2', 100, 'debt written off (an expense of the recipient)', '2026-11-30 05:14:37.831535');
INSERT INTO ledger_entry VALUES (51, '145I99F4HBO90G4K2TXRXV7R4SDW5PPWJIS', 14, 'prepaid:1', -1, 'prepaid balance spent', '2026-12-02 05:14:37.884662');
INSERT INTO ledger_entry VALUES (52, '145I99F4HBO90G4K2TXRXV7R4SDW5PPWJIS', 14, 'prepaid_liability:1', 1, 'prepaid balance spent', '2026-12-02 05:14:37.884662');

--
-- Data for Name: notification; Type: TABLE DATA; Schema: fps_fixture_maker; Owner: -
--

INSERT INTO notification VALUES (1, 1, 'TransactionStatus', 1, NULL, 'Success', 'Success', NULL, 'no_url', '2026-11-30 05:14:37.588337', NULL, 0, 0, false, NULL, NULL);
INSERT INTO notification VALUES (2, 1, 'TransactionStatus', 2, NULL, 'Success', 'Success', NULL, 'no_url', '2026-11-30 05:14:37.613892', NULL, 0, 0, false, NULL, NULL);
INSERT INTO notification VALUES (3, 1, 'TransactionStatus', 3, NULL, 'Success', 'Success', NULL, 'no_url', '2026-11-30 05:14:37.62398', NULL, 0, 0, false, NULL, NULL);
INSERT INTO notification VALUES (4, 1, 'TransactionStatus', 4, NULL, 'Success', 'Success', NULL, 'no_url', '2026-11-30 05:14:37.62971', NULL, 0, 0, false, NULL, NULL);
INSERT INTO notification VALUES (5, 1, 'TransactionStatus', 5, NULL, 'Success', 'Success', NULL, 'no_url', '2026-11-30 05:14:37.635213', NULL, 0, 0, false, NULL, NULL);
INSERT INTO notification VALUES (6, 1, 'TransactionStatus', 6, NULL, 'Success', 'Success', NULL, 'no_url', '2026-11-30 05:14:37.641573', NULL, 0, 0, false, NULL, NULL);
INSERT INTO notification VALUES (7, 1, 'TransactionStatus', 7, NULL, 'Success', 'Success', NULL, 'no_url', '2026-11-30 05:14:37.647783', NULL, 0, 0, false, NULL, NULL);
INSERT INTO notification VALUES (8, 1, 'TransactionStatus', 8, NULL, 'Success', 'Success', NULL, 'no_url', '2026-11-30 05:14:37.720887', NULL, 0, 0, false, NULL, NULL);
INSERT INTO notification VALUES (9, 1, 'TokenCancellation', NULL, 4, NULL, NULL, NULL, 'no_url', '2026-11-30 05:14:37.73242', NULL, 0, 0, false, NULL, NULL);
INSERT INTO notification VALUES (10, 2, 'TransactionStatus', 9, NULL, 'Success', 'Success', NULL, 'no_url', '2026-11-30 05:14:37.796069', NULL, 0, 0, false, NULL, NULL);
INSERT INTO notification VALUES (11, 2, 'TransactionStatus', 10, NULL, 'Success', 'Success', NULL, 'no_url', '2026-11-30 05:14:37.805054', NULL, 0, 0, false, NULL, NULL);
INSERT INTO notification VALUES (12, 2, 'TransactionStatus', 11, NULL, 'Success', 'Success', NULL, 'no_url', '2026-11-30 05:14:37.811599', NULL, 0, 0, false, NULL, NULL);
INSERT INTO notification VALUES (13, 2, 'TransactionStatus', 12, NULL, 'Success', 'Success', NULL, 'no_url', '2026-11-30 05:14:37.818137', NULL, 0, 0, false, NULL, NULL);
INSERT INTO notification VALUES (14, 2, 'TransactionStatus', 13, NULL, 'Success', 'Success', NULL, 'no_url', '2026-11-30 05:14:37.831535', NULL, 0, 0, false, NULL, NULL);
INSERT INTO notification VALUES (15, 1, 'TransactionStatus', 14, NULL, 'Success', 'Success', 'https://merchant.example.com/ipn', 'queued', '2026-12-02 05:14:37.884662', '2026-12-02 05:14:37.884662', 0, 0, true, NULL, NULL);

--
-- Data for Name: payment_method; Type: TABLE DATA; Schema: fps_fixture_maker; Owner: -
--

INSERT INTO payment_method VALUES (1, 3, 'CC', 'Visa ending in 1111', '02/2029');
INSERT INTO payment_method VALUES (2, 3, 'ACH', 'Checking account ending in 6789', NULL);
INSERT INTO payment_method VALUES (3, 4, 'CC', 'Mastercard ending in 4444', '10/2028');

--
-- Data for Name: sandbox_meta; Type: TABLE DATA; Schema: fps_fixture_maker; Owner: -
--

INSERT INTO sandbox_meta VALUES ('schema_version', '7');
INSERT INTO sandbox_meta VALUES ('clock_offset_seconds', '172800.0');
INSERT INTO sandbox_meta VALUES ('rollup_ledger_through', '50');
INSERT INTO sandbox_meta VALUES ('rollup_status_through', '13');

--
-- Data for Name: status_history; Type: TABLE DATA; Schema: fps_fixture_maker; Owner: -
--

INSERT INTO status_history VALUES (1, 1, '2026-11-30 05:14:37.588337', 'Success', 'Success', 1000);
INSERT INTO status_history VALUES (2, 2, '2026-11-30 05:14:37.613892', 'Success', 'Success', 50);
INSERT INTO status_history VALUES (3, 3, '2026-11-30 05:14:37.62398', 'Success', 'Success', 50);
INSERT INTO status_history VALUES (4, 4, '2026-11-30 05:14:37.62971', 'Success', 'Success', 50);
INSERT INTO status_history VALUES (5, 5, '2026-11-30 05:14:37.635213', 'Success', 'Success', 50);
INSERT INTO status_history VALUES (6, 6, '2026-11-30 05:14:37.641573', 'Success', 'Success', 50);
INSERT INTO status_history VALUES (7, 7, '2026-11-30 05:14:37.647783', 'Success', 'Success', 25);
INSERT INTO status_history VALUES (8, 8, '2026-11-30 05:14:37.720887', 'Success', 'Success', 500);
INSERT INTO status_history VALUES (9, 9, '2026-11-30 05:14:37.796069', 'Success', 'Success', 100);
INSERT INTO status_history VALUES (10, 10, '2026-11-30 05:14:37.805054', 'Success', 'Success', 100);
INSERT INTO status_history VALUES (11, 11, '2026-11-30 05:14:37.811599', 'Success', 'Success', 100);
INSERT INTO status_history VALUES (12, 12, '2026-11-30 05:14:37.818137', 'Success', 'Success', 200);
INSERT INTO status_history VALUES (13, 13, '2026-11-30 05:14:37.831535', 'Success', 'Success', 100);
INSERT INTO status_history VALUES (14, 14, '2026-12-02 05:14:37.884662', 'Success', 'Success', 1);

--
-- Data for Name: token; Type: TABLE DATA; Schema: fps_fixture_maker; Owner: -
--

INSERT INTO token VALUES (1, 'EVMJQ7JO5WJRRFNL2LX87NVLOR27KAQCB1EZN74CG8WP23RQDNFWVFWDDXQ6WZE3', 'Funding', 'MultiUse', 1, 1, 3, 1, 'fund-1', 'Active', 'CC', NULL, '2026-11-30 05:14:37.503053', NULL, '2026-11-30 05:14:37.576159', NULL, NULL);
INSERT INTO token VALUES (2, 'DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL', 'PrepaidSender', 'MultiUse', 1, 1, 3, 1, 'sender-1', 'Active', 'Prepaid', NULL, '2026-11-30 05:14:37.503053', NULL, '2026-11-30 05:14:37.576159', NULL, NULL);
INSERT INTO token VALUES (3, 'LWGGEYFIMUXVVG60OOUEX6NRJ6NMZN6OVKVQD6FUYQLQ9A5VRWX39SMN6RCVEMXW', 'Funding', 'MultiUse', 2, 1, 3, 1, 'fund-2', 'Active', 'ABT', NULL, '2026-11-30 05:14:37.658442', NULL, '2026-11-30 05:14:37.713548', NULL, NULL);
INSERT INTO token VALUES (4, 'T3V83J2M8WPG4MA2ABBXUR7QH9DBI9PMNN1WKG3USH9T7YWA64CCYYG9DURLYP11', 'PrepaidSender', 'MultiUse', 2, 1, 3, 1, 'sender-2', 'Inactive', 'Prepaid', NULL, '2026-11-30 05:14:37.658442', NULL, '2026-11-30 05:14:37.713548', '2026-11-30 05:14:37.73242', 'lesson over');
INSERT INTO token VALUES (5, 'HY02AW4BA5YZ1VHFAXX9IFN7I5W1E2O0BKUJTDJWL9NKOWL9HV5JIS444ZC7FASA', 'CreditSender', 'MultiUse', 3, 2, 4, 2, 'reader-1', 'Active', 'Debt', NULL, '2026-11-30 05:14:37.739361', NULL, '2026-11-30 05:14:37.787702', NULL, NULL);
INSERT INTO token VALUES (6, 'BG9J47IDHXYL2CANX4868WPBU62QX19ZV88A8KAKEA2NE0HMOL0G3QPL7IOJEAY3', 'Settlement', 'MultiUse', 3, 2, 4, 2, 'settle-1', 'Active', 'CC', NULL, '2026-11-30 05:14:37.739361', NULL, '2026-11-30 05:14:37.787702', NULL, NULL);

--
-- Data for Name: usage_limit; Type: TABLE DATA; Schema: fps_fixture_maker; Owner: -
--

--
-- Name: account_id_seq; Type: SEQUENCE SET; Schema: fps_fixture_maker; Owner: -
--

SELECT pg_catalog.setval('account_id_seq', 5, true);

--
-- Name: api_call_id_seq; Type: SEQUENCE SET; Schema: fps_fixture_maker; Owner: -
--

SELECT pg_catalog.setval('api_call_id_seq', 19, true);

--
-- Name: delivery_attempt_id_seq; Type: SEQUENCE SET; Schema: fps_fixture_maker; Owner: -
--

SELECT pg_catalog.setval('delivery_attempt_id_seq', 1, false);

--
-- Name: fault_id_seq; Type: SEQUENCE SET; Schema: fps_fixture_maker; Owner: -
--

SELECT pg_catalog.setval('fault_id_seq', 1, true);

--
-- Name: fps_transaction_id_seq; Type: SEQUENCE SET; Schema: fps_fixture_maker; Owner: -
--

SELECT pg_catalog.setval('fps_transaction_id_seq', 14, true);

--
-- Name: instrument_id_seq; Type: SEQUENCE SET; Schema: fps_fixture_maker; Owner: -
--

SELECT pg_catalog.setval('instrument_id_seq', 3, true);

--
-- Name: ledger_entry_id_seq; Type: SEQUENCE SET; Schema: fps_fixture_maker; Owner: -
--

SELECT pg_catalog.setval('ledger_entry_id_seq', 52, true);

--
-- Name: notification_id_seq; Type: SEQUENCE SET; Schema: fps_fixture_maker; Owner: -
--

SELECT pg_catalog.setval('notification_id_seq', 15, true);

--
-- Name: payment_method_id_seq; Type: SEQUENCE SET; Schema: fps_fixture_maker; Owner: -
--

SELECT pg_catalog.setval('payment_method_id_seq', 3, true);

--
-- Name: status_history_id_seq; Type: SEQUENCE SET; Schema: fps_fixture_maker; Owner: -
--

SELECT pg_catalog.setval('status_history_id_seq', 14, true);

--
-- Name: token_id_seq; Type: SEQUENCE SET; Schema: fps_fixture_maker; Owner: -
--

SELECT pg_catalog.setval('token_id_seq', 6, true);

--
-- Name: usage_limit_id_seq; Type: SEQUENCE SET; Schema: fps_fixture_maker; Owner: -
--

SELECT pg_catalog.setval('usage_limit_id_seq', 1, false);

--
-- Name: account account_access_key_key; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY account
    ADD CONSTRAINT account_access_key_key UNIQUE (access_key);

--
-- Name: account account_email_key; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY account
    ADD CONSTRAINT account_email_key UNIQUE (email);

--
-- Name: account account_pkey; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY account
    ADD CONSTRAINT account_pkey PRIMARY KEY (id);

--
-- Name: api_call api_call_pkey; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY api_call
    ADD CONSTRAINT api_call_pkey PRIMARY KEY (id);

--
-- Name: book_total book_total_pkey; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY book_total
    ADD CONSTRAINT book_total_pkey PRIMARY KEY (book);

--
-- Name: caller_total caller_total_pkey; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY caller_total
    ADD CONSTRAINT caller_total_pkey PRIMARY KEY (caller_id, operation, status);

--
-- Name: cbui_pipeline cbui_pipeline_pkey; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY cbui_pipeline
    ADD CONSTRAINT cbui_pipeline_pkey PRIMARY KEY (id);

--
-- Name: delivery_attempt delivery_attempt_pkey; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY delivery_attempt
    ADD CONSTRAINT delivery_attempt_pkey PRIMARY KEY (id);

--
-- Name: fault fault_pkey; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY fault
    ADD CONSTRAINT fault_pkey PRIMARY KEY (id);

--
-- Name: fps_transaction fps_transaction_caller_id_caller_reference_key; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY fps_transaction
    ADD CONSTRAINT fps_transaction_caller_id_caller_reference_key UNIQUE (caller_id, caller_reference);

--
-- Name: fps_transaction fps_transaction_pkey; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY fps_transaction
    ADD CONSTRAINT fps_transaction_pkey PRIMARY KEY (id);

--
-- Name: fps_transaction fps_transaction_transaction_id_key; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY fps_transaction
    ADD CONSTRAINT fps_transaction_transaction_id_key UNIQUE (transaction_id);

--
-- Name: instrument instrument_instrument_id_key; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY instrument
    ADD CONSTRAINT instrument_instrument_id_key UNIQUE (instrument_id);

--
-- Name: instrument instrument_pkey; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY instrument
    ADD CONSTRAINT instrument_pkey PRIMARY KEY (id);

--
-- Name: ledger_entry ledger_entry_pkey; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY ledger_entry
    ADD CONSTRAINT ledger_entry_pkey PRIMARY KEY (id);

--
-- Name: notification notification_pkey; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY notification
    ADD CONSTRAINT notification_pkey PRIMARY KEY (id);

--
-- Name: payment_method payment_method_pkey; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY payment_method
    ADD CONSTRAINT payment_method_pkey PRIMARY KEY (id);

--
-- Name: sandbox_meta sandbox_meta_pkey; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY sandbox_meta
    ADD CONSTRAINT sandbox_meta_pkey PRIMARY KEY (key);

--
-- Name: status_history status_history_pkey; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY status_history
    ADD CONSTRAINT status_history_pkey PRIMARY KEY (id);

--
-- Name: token token_caller_id_caller_reference_key; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY token
    ADD CONSTRAINT token_caller_id_caller_reference_key UNIQUE (caller_id, caller_reference);

--
-- Name: token token_pkey; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY token
    ADD CONSTRAINT token_pkey PRIMARY KEY (id);

--
-- Name: token token_token_id_key; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY token
    ADD CONSTRAINT token_token_id_key UNIQUE (token_id);

--
-- Name: usage_limit usage_limit_pkey; Type: CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY usage_limit
    ADD CONSTRAINT usage_limit_pkey PRIMARY KEY (id);

--
-- Name: ix_api_call_access_key; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_api_call_access_key ON api_call USING btree (access_key, id);

--
-- Name: ix_api_call_action; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_api_call_action ON api_call USING btree (action, id);

--
-- Name: ix_api_call_errors; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_api_call_errors ON api_call USING btree (id) WHERE (error_code IS NOT NULL);

--
-- Name: ix_api_call_request_id; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_api_call_request_id ON api_call USING btree (request_id);

--
-- Name: ix_api_call_transaction; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_api_call_transaction ON api_call USING btree (transaction_id);

--
-- Name: ix_delivery_attempt_notification_pk; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_delivery_attempt_notification_pk ON delivery_attempt USING btree (notification_pk);

--
-- Name: ix_fps_transaction_caller; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_fps_transaction_caller ON fps_transaction USING btree (caller_id, id);

--
-- Name: ix_fps_transaction_instrument_pk; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_fps_transaction_instrument_pk ON fps_transaction USING btree (instrument_pk);

--
-- Name: ix_fps_transaction_parent_pk; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_fps_transaction_parent_pk ON fps_transaction USING btree (parent_pk);

--
-- Name: ix_fps_transaction_pending_due; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_fps_transaction_pending_due ON fps_transaction USING btree (due_at) WHERE ((status)::text = 'Pending'::text);

--
-- Name: ix_fps_transaction_sender; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_fps_transaction_sender ON fps_transaction USING btree (sender_id, id);

--
-- Name: ix_fps_transaction_sender_token_pk; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_fps_transaction_sender_token_pk ON fps_transaction USING btree (sender_token_pk);

--
-- Name: ix_fps_transaction_unusual_operation; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_fps_transaction_unusual_operation ON fps_transaction USING btree (operation, id) WHERE ((operation)::text <> 'Pay'::text);

--
-- Name: ix_fps_transaction_unusual_status; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_fps_transaction_unusual_status ON fps_transaction USING btree (status, id) WHERE ((status)::text <> 'Success'::text);

--
-- Name: ix_ledger_book; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_ledger_book ON ledger_entry USING btree (book, id);

--
-- Name: ix_ledger_entry_journal; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_ledger_entry_journal ON ledger_entry USING btree (journal);

--
-- Name: ix_ledger_entry_transaction_pk; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_ledger_entry_transaction_pk ON ledger_entry USING btree (transaction_pk);

--
-- Name: ix_notification_caller; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_notification_caller ON notification USING btree (caller_id, id);

--
-- Name: ix_notification_due; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_notification_due ON notification USING btree (next_attempt_at) WHERE ((state)::text = 'queued'::text);

--
-- Name: ix_notification_state; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_notification_state ON notification USING btree (state, id);

--
-- Name: ix_notification_token; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_notification_token ON notification USING btree (token_pk);

--
-- Name: ix_notification_transaction_pk; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_notification_transaction_pk ON notification USING btree (transaction_pk);

--
-- Name: ix_status_history_transaction_pk; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_status_history_transaction_pk ON status_history USING btree (transaction_pk);

--
-- Name: ix_token_instrument; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_token_instrument ON token USING btree (instrument_pk);

--
-- Name: ix_token_sender; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_token_sender ON token USING btree (sender_id);

--
-- Name: ix_usage_limit_token_pk; Type: INDEX; Schema: fps_fixture_maker; Owner: -
--

CREATE INDEX ix_usage_limit_token_pk ON usage_limit USING btree (token_pk);

--
-- Name: api_call api_call_caller_id_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY api_call
    ADD CONSTRAINT api_call_caller_id_fkey FOREIGN KEY (caller_id) REFERENCES account(id);

--
-- Name: caller_total caller_total_caller_id_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY caller_total
    ADD CONSTRAINT caller_total_caller_id_fkey FOREIGN KEY (caller_id) REFERENCES account(id);

--
-- Name: cbui_pipeline cbui_pipeline_buyer_id_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY cbui_pipeline
    ADD CONSTRAINT cbui_pipeline_buyer_id_fkey FOREIGN KEY (buyer_id) REFERENCES account(id);

--
-- Name: cbui_pipeline cbui_pipeline_caller_id_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY cbui_pipeline
    ADD CONSTRAINT cbui_pipeline_caller_id_fkey FOREIGN KEY (caller_id) REFERENCES account(id);

--
-- Name: cbui_pipeline cbui_pipeline_payment_method_id_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY cbui_pipeline
    ADD CONSTRAINT cbui_pipeline_payment_method_id_fkey FOREIGN KEY (payment_method_id) REFERENCES payment_method(id);

--
-- Name: delivery_attempt delivery_attempt_notification_pk_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY delivery_attempt
    ADD CONSTRAINT delivery_attempt_notification_pk_fkey FOREIGN KEY (notification_pk) REFERENCES notification(id);

--
-- Name: fps_transaction fps_transaction_caller_id_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY fps_transaction
    ADD CONSTRAINT fps_transaction_caller_id_fkey FOREIGN KEY (caller_id) REFERENCES account(id);

--
-- Name: fps_transaction fps_transaction_instrument_pk_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY fps_transaction
    ADD CONSTRAINT fps_transaction_instrument_pk_fkey FOREIGN KEY (instrument_pk) REFERENCES instrument(id);

--
-- Name: fps_transaction fps_transaction_parent_pk_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY fps_transaction
    ADD CONSTRAINT fps_transaction_parent_pk_fkey FOREIGN KEY (parent_pk) REFERENCES fps_transaction(id);

--
-- Name: fps_transaction fps_transaction_recipient_id_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY fps_transaction
    ADD CONSTRAINT fps_transaction_recipient_id_fkey FOREIGN KEY (recipient_id) REFERENCES account(id);

--
-- Name: fps_transaction fps_transaction_sender_id_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY fps_transaction
    ADD CONSTRAINT fps_transaction_sender_id_fkey FOREIGN KEY (sender_id) REFERENCES account(id);

--
-- Name: fps_transaction fps_transaction_sender_token_pk_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY fps_transaction
    ADD CONSTRAINT fps_transaction_sender_token_pk_fkey FOREIGN KEY (sender_token_pk) REFERENCES token(id);

--
-- Name: instrument instrument_caller_id_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY instrument
    ADD CONSTRAINT instrument_caller_id_fkey FOREIGN KEY (caller_id) REFERENCES account(id);

--
-- Name: instrument instrument_payment_method_id_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY instrument
    ADD CONSTRAINT instrument_payment_method_id_fkey FOREIGN KEY (payment_method_id) REFERENCES payment_method(id);

--
-- Name: instrument instrument_recipient_id_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY instrument
    ADD CONSTRAINT instrument_recipient_id_fkey FOREIGN KEY (recipient_id) REFERENCES account(id);

--
-- Name: instrument instrument_sender_id_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY instrument
    ADD CONSTRAINT instrument_sender_id_fkey FOREIGN KEY (sender_id) REFERENCES account(id);

--
-- Name: ledger_entry ledger_entry_transaction_pk_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY ledger_entry
    ADD CONSTRAINT ledger_entry_transaction_pk_fkey FOREIGN KEY (transaction_pk) REFERENCES fps_transaction(id);

--
-- Name: notification notification_caller_id_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY notification
    ADD CONSTRAINT notification_caller_id_fkey FOREIGN KEY (caller_id) REFERENCES account(id);

--
-- Name: notification notification_token_pk_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY notification
    ADD CONSTRAINT notification_token_pk_fkey FOREIGN KEY (token_pk) REFERENCES token(id);

--
-- Name: notification notification_transaction_pk_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY notification
    ADD CONSTRAINT notification_transaction_pk_fkey FOREIGN KEY (transaction_pk) REFERENCES fps_transaction(id);

--
-- Name: payment_method payment_method_account_id_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY payment_method
    ADD CONSTRAINT payment_method_account_id_fkey FOREIGN KEY (account_id) REFERENCES account(id);

--
-- Name: status_history status_history_transaction_pk_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY status_history
    ADD CONSTRAINT status_history_transaction_pk_fkey FOREIGN KEY (transaction_pk) REFERENCES fps_transaction(id);

--
-- Name: token token_caller_id_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY token
    ADD CONSTRAINT token_caller_id_fkey FOREIGN KEY (caller_id) REFERENCES account(id);

--
-- Name: token token_instrument_pk_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY token
    ADD CONSTRAINT token_instrument_pk_fkey FOREIGN KEY (instrument_pk) REFERENCES instrument(id);

--
-- Name: token token_recipient_id_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY token
    ADD CONSTRAINT token_recipient_id_fkey FOREIGN KEY (recipient_id) REFERENCES account(id);

--
-- Name: token token_sender_id_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY token
    ADD CONSTRAINT token_sender_id_fkey FOREIGN KEY (sender_id) REFERENCES account(id);

--
-- Name: usage_limit usage_limit_token_pk_fkey; Type: FK CONSTRAINT; Schema: fps_fixture_maker; Owner: -
--

ALTER TABLE ONLY usage_limit
    ADD CONSTRAINT usage_limit_token_pk_fkey FOREIGN KEY (token_pk) REFERENCES token(id);

--
-- PostgreSQL database dump complete
--


