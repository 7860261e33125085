BEGIN TRANSACTION;
CREATE TABLE account (
	id INTEGER NOT NULL, 
	name VARCHAR(128) NOT NULL, 
	email VARCHAR(255) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	password VARCHAR(255), 
	access_key VARCHAR(64), 
	secret_key VARCHAR(128), 
	balance_cents BIGINT NOT NULL, 
	created_at DATETIME NOT NULL, 
	ipn_url VARCHAR(2048), 
	ipn_twice BOOLEAN NOT NULL, 
	ipn_reorder BOOLEAN NOT NULL, 
	ipn_delay_seconds INTEGER NOT NULL, 
	ipn_drop BOOLEAN NOT NULL, 
	ipn_fail_first INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (email), 
	UNIQUE (access_key)
);
INSERT INTO "account" VALUES(1,'DigitalDownload','payments@digitaldownload.example','business',NULL,'AKIAIOSFODNN7EXAMPLE','wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',1440,'2026-01-01 00:00:00.000000','https://merchant.example.com/ipn',1,0,0,0,0);
INSERT INTO "account" VALUES(2,'The Daily Byte','billing@dailybyte.example','business',NULL,'AKIAI44QH8DHBEXAMPLE','je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',185,'2026-01-01 00:00:00.000000',NULL,0,0,0,0,0);
INSERT INTO "account" VALUES(3,'John Smith','john@example.com','personal','pbkdf2_sha256$100000$john$868f70d19d185b9c3d884808d9fd5579a728333d988e57b13fa4f5fb300d811b',NULL,NULL,9500,'2026-01-01 00:00:00.000000',NULL,0,0,0,0,0);
INSERT INTO "account" VALUES(4,'Rita Reader','reader@example.com','personal','pbkdf2_sha256$100000$reader$438444d38f69e3edbfe251b97df09b3815b8917184640b71a3e5ff19a43fd107',NULL,NULL,2500,'2026-01-01 00:00:00.000000',NULL,0,0,0,0,0);
INSERT INTO "account" VALUES(5,'Pat Nocard','pat@example.com','personal','pbkdf2_sha256$100000$pat$4b7905a1206a89c45664fee26cc4add8eedb53dc9eb47d979641cd130f225da1',NULL,NULL,500,'2026-01-01 00:00:00.000000',NULL,0,0,0,0,0);
CREATE TABLE api_call (
	id INTEGER NOT NULL, 
	request_id VARCHAR(40) NOT NULL, 
	at DATETIME NOT NULL, 
	face VARCHAR(8) NOT NULL, 
	action VARCHAR(64), 
	caller_id INTEGER, 
	access_key VARCHAR(128), 
	method VARCHAR(8) NOT NULL, 
	host VARCHAR(255) NOT NULL, 
	path VARCHAR(255) NOT NULL, 
	params TEXT NOT NULL, 
	verdict VARCHAR(10) NOT NULL, 
	string_to_sign TEXT, 
	diagnosis TEXT, 
	http_status INTEGER NOT NULL, 
	error_code VARCHAR(64), 
	response TEXT NOT NULL, 
	duration_ms INTEGER NOT NULL, 
	transaction_id VARCHAR(35), 
	PRIMARY KEY (id), 
	FOREIGN KEY(caller_id) REFERENCES account (id)
);
INSERT INTO "api_call" VALUES(1,'50fbdac950ab49e7acfc8e56b7280347','2026-11-30 05:14:36.919949','cbui','SetupPrepaid',1,'AKIAIOSFODNN7EXAMPLE','GET','localhost','/cobranded-ui/actions/start','{"callerKey": "AKIAIOSFODNN7EXAMPLE", "pipelineName": "SetupPrepaid", "version": "2009-01-09", "signatureVersion": "2", "signatureMethod": "HmacSHA256", "callerReferenceFunding": "fund-1", "callerReferenceSender": "sender-1", "fundingAmount": "10.00", "paymentMethod": "ABT,CC,ACH", "returnURL": "https://merchant.example.com/fps/return?order=42", "signature": "8PJqWsYLEdVKaKIeW89D3zXjOkjJIB7C9XfqnIcw/gI="}','ok',NULL,NULL,302,NULL,'/cobranded-ui/pipeline/23rjaxq1n1j20otygt2j2y4md22qdhwk/sign-in',20,NULL);
INSERT INTO "api_call" VALUES(2,'72175a47-4fc7-40ca-8420-7883799a2028','2026-11-30 05:14:37.061464','api','FundPrepaid',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "FundPrepaid", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:36.992Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "EVMJQ7JO5WJRRFNL2LX87NVLOR27KAQCB1EZN74CG8WP23RQDNFWVFWDDXQ6WZE3", "PrepaidInstrumentId": "8VHXM76SXZ29BNVKVD5SEXLHREH5ZA2AL6WLNOE9BP0O9I96Y6Q32SQZOD0JR2GA", "CallerReference": "fund-card", "FundingAmount.Value": "10.00", "Signature": "eLYD9tW6qkWwNrv+lOhN2+Uv6RsL+Q9SvYkTdtqA+sg="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<FundPrepaidResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><FundPrepaidResult><TransactionId>14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU</TransactionId><TransactionStatus>Success</TransactionStatus></FundPrepaidResult><ResponseMetadata><RequestId>72175a47-4fc7-40ca-8420-7883799a2028:0</RequestId></ResponseMetadata></FundPrepaidResponse>',68,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU');
INSERT INTO "api_call" VALUES(3,'ccc95d61-a07d-4f24-be14-871aa9bbec89','2026-11-30 05:14:37.066741','api','Pay',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.062Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "song-0", "TransactionAmount.Value": "0.50", "Signature": "ok2Uujkl645v2zdUCM2cDw8Y/VjTXw6b/oCRUJOcN8Q="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>147KQ05GXEE9B71Y0XKPH422HVJ209ZY1DV</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>ccc95d61-a07d-4f24-be14-871aa9bbec89:0</RequestId></ResponseMetadata></PayResponse>',4,'147KQ05GXEE9B71Y0XKPH422HVJ209ZY1DV');
INSERT INTO "api_call" VALUES(4,'0e490b77-f4c7-4057-99fa-e55e7587484a','2026-11-30 05:14:37.069265','api','Pay',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.067Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "song-1", "TransactionAmount.Value": "0.50", "Signature": "dj2yuseNHHfreII3A+73AfSt10IVrGV/N9DKoCijL/I="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>14BNE8B78P3BFACA3DVJEPG9NVUWRJE5GQ3</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>0e490b77-f4c7-4057-99fa-e55e7587484a:0</RequestId></ResponseMetadata></PayResponse>',1,'14BNE8B78P3BFACA3DVJEPG9NVUWRJE5GQ3');
INSERT INTO "api_call" VALUES(5,'5459598d-c49d-46de-af3d-f0de90f2a0d3','2026-11-30 05:14:37.071291','api','Pay',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.069Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "song-2", "TransactionAmount.Value": "0.50", "Signature": "6YltvajR/D+12HJWSDErN4a1KAPDqHb8z6eSTJY6eDU="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>14U83SEVR5TY3Q46F754MJEN4NAKCW17DNE</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>5459598d-c49d-46de-af3d-f0de90f2a0d3:0</RequestId></ResponseMetadata></PayResponse>',1,'14U83SEVR5TY3Q46F754MJEN4NAKCW17DNE');
INSERT INTO "api_call" VALUES(6,'6afda02a-f27d-4cd3-8f4f-52e14d9b7fae','2026-11-30 05:14:37.073197','api','Pay',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.071Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "song-3", "TransactionAmount.Value": "0.50", "Signature": "6Rg6Yd/yQjwVp97/qOqhHUfhhVZqncJnaB47mcV+K1g="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>1464S8S1RN94V5X2CEDVZFSEY2D9XEMF07G</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>6afda02a-f27d-4cd3-8f4f-52e14d9b7fae:0</RequestId></ResponseMetadata></PayResponse>',1,'1464S8S1RN94V5X2CEDVZFSEY2D9XEMF07G');
INSERT INTO "api_call" VALUES(7,'b236419a-9c75-470d-b7f6-64d4e1824dcd','2026-11-30 05:14:37.075022','api','Pay',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.073Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "song-4", "TransactionAmount.Value": "0.50", "Signature": "i1PtVMYgoReBUOwMySYczFK0k4mJdqGA6++J9+OGOWM="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>14GW40QDWQ2U08W6JA5B9QCJZNWD4N3FYQO</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>b236419a-9c75-470d-b7f6-64d4e1824dcd:0</RequestId></ResponseMetadata></PayResponse>',1,'14GW40QDWQ2U08W6JA5B9QCJZNWD4N3FYQO');
INSERT INTO "api_call" VALUES(8,'c62ca7f8-70b7-4466-a8f1-6813580272b5','2026-11-30 05:14:37.081157','api','Refund',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "Refund", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.075Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "TransactionId": "147KQ05GXEE9B71Y0XKPH422HVJ209ZY1DV", "CallerReference": "refund-1", "RefundAmount.Value": "0.25", "Signature": "QHm/2F+KctKyviQtxjpOEQ3G2XgxBV9lBNYOheCX4hM="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<RefundResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><RefundResult><TransactionId>14AT4DQA98YRCEZ295PJTMT5Q9ZB0XWA5RT</TransactionId><TransactionStatus>Success</TransactionStatus></RefundResult><ResponseMetadata><RequestId>c62ca7f8-70b7-4466-a8f1-6813580272b5:0</RequestId></ResponseMetadata></RefundResponse>',5,'14AT4DQA98YRCEZ295PJTMT5Q9ZB0XWA5RT');
INSERT INTO "api_call" VALUES(9,'6f064beeb0a7432abe26bf1729066cac','2026-11-30 05:14:37.083294','cbui','SetupPrepaid',1,'AKIAIOSFODNN7EXAMPLE','GET','localhost','/cobranded-ui/actions/start','{"callerKey": "AKIAIOSFODNN7EXAMPLE", "pipelineName": "SetupPrepaid", "version": "2009-01-09", "signatureVersion": "2", "signatureMethod": "HmacSHA256", "callerReferenceFunding": "fund-2", "callerReferenceSender": "sender-2", "fundingAmount": "5.00", "paymentMethod": "ABT,CC,ACH", "returnURL": "https://merchant.example.com/fps/return?order=42", "signature": "HIhn8kZTxvrm0QSvtTXF98BnoMkGXOTqQ6e35yYAv0Y="}','ok',NULL,NULL,302,NULL,'/cobranded-ui/pipeline/gbahkfc0z5h0vd5mgg7hntmxdpvwvjw8/sign-in',1,NULL);
INSERT INTO "api_call" VALUES(10,'f200ce07-0a44-45de-9045-4e30e134b9a7','2026-11-30 05:14:37.128588','api','FundPrepaid',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "FundPrepaid", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.124Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "LWGGEYFIMUXVVG60OOUEX6NRJ6NMZN6OVKVQD6FUYQLQ9A5VRWX39SMN6RCVEMXW", "PrepaidInstrumentId": "RX4JJ8KPN9T6FJXLXSCEPTGJAJLNV4Z0KR06IABS5F2X56D2EEORCJGEDAHLPZWR", "CallerReference": "fund-abt", "FundingAmount.Value": "5.00", "Signature": "Fi8eBA8Fy29FNnMwYfZFXEtZeSSJIlmJnigp0+uSRyw="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<FundPrepaidResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><FundPrepaidResult><TransactionId>14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X</TransactionId><TransactionStatus>Success</TransactionStatus></FundPrepaidResult><ResponseMetadata><RequestId>f200ce07-0a44-45de-9045-4e30e134b9a7:0</RequestId></ResponseMetadata></FundPrepaidResponse>',4,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X');
INSERT INTO "api_call" VALUES(11,'38f3b1f6-aa0e-407f-b140-e663d2cb5781','2026-11-30 05:14:37.132133','api','CancelToken',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "CancelToken", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.129Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "TokenId": "T3V83J2M8WPG4MA2ABBXUR7QH9DBI9PMNN1WKG3USH9T7YWA64CCYYG9DURLYP11", "ReasonText": "lesson over", "Signature": "H15Yen6txm04IS7z/e5hh1ljDcMMpUiRdXkLswhwvfM="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<CancelTokenResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><ResponseMetadata><RequestId>38f3b1f6-aa0e-407f-b140-e663d2cb5781:0</RequestId></ResponseMetadata></CancelTokenResponse>',2,NULL);
INSERT INTO "api_call" VALUES(12,'fb5fd75e34d54c30a3f4213d07510c44','2026-11-30 05:14:37.133950','cbui','SetupPostpaid',2,'AKIAI44QH8DHBEXAMPLE','GET','localhost','/cobranded-ui/actions/start','{"callerKey": "AKIAI44QH8DHBEXAMPLE", "pipelineName": "SetupPostpaid", "version": "2009-01-09", "signatureVersion": "2", "signatureMethod": "HmacSHA256", "callerReferenceSender": "reader-1", "callerReferenceSettlement": "settle-1", "creditLimit": "20.00", "globalAmountLimit": "100.00", "paymentMethod": "CC", "returnURL": "https://merchant.example.com/fps/return?order=42", "signature": "O4+JNgT790N/VyJ6+ADQnurHOMko9B3TtMRTPQTA4cI="}','ok',NULL,NULL,302,NULL,'/cobranded-ui/pipeline/l0omokf8vxvswactqahk84bnmek97j2e/sign-in',0,NULL);
INSERT INTO "api_call" VALUES(13,'221f1581-9b6e-4063-b3fa-23a3103967e9','2026-11-30 05:14:37.186431','api','Pay',2,'AKIAI44QH8DHBEXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAI44QH8DHBEXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.182Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "HY02AW4BA5YZ1VHFAXX9IFN7I5W1E2O0BKUJTDJWL9NKOWL9HV5JIS444ZC7FASA", "CallerReference": "article-0", "TransactionAmount.Value": "1.00", "Signature": "grMZoaMRoN65p8r+NKyw2GU/tu1jDIUB8QDtbKOG5f8="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>14LP3BJ0IITJFB93IEST7NE4FIH58NWZQ3L</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>221f1581-9b6e-4063-b3fa-23a3103967e9:0</RequestId></ResponseMetadata></PayResponse>',3,'14LP3BJ0IITJFB93IEST7NE4FIH58NWZQ3L');
INSERT INTO "api_call" VALUES(14,'a025137f-502f-41b4-b4a2-a64e910488e6','2026-11-30 05:14:37.189380','api','Pay',2,'AKIAI44QH8DHBEXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAI44QH8DHBEXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.186Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "HY02AW4BA5YZ1VHFAXX9IFN7I5W1E2O0BKUJTDJWL9NKOWL9HV5JIS444ZC7FASA", "CallerReference": "article-1", "TransactionAmount.Value": "1.00", "Signature": "AseRe7wl20Z/sMKCtFtS6oBT/xcXbTvLkV4/aVYVkDs="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>140FFFG8IXA50Y9B1E7ALTQ2C5A82ABEDFH</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>a025137f-502f-41b4-b4a2-a64e910488e6:0</RequestId></ResponseMetadata></PayResponse>',1,'140FFFG8IXA50Y9B1E7ALTQ2C5A82ABEDFH');
INSERT INTO "api_call" VALUES(15,'cd606ca8-deab-468f-979f-9d5f76cde969','2026-11-30 05:14:37.192043','api','Pay',2,'AKIAI44QH8DHBEXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAI44QH8DHBEXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.189Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "HY02AW4BA5YZ1VHFAXX9IFN7I5W1E2O0BKUJTDJWL9NKOWL9HV5JIS444ZC7FASA", "CallerReference": "article-2", "TransactionAmount.Value": "1.00", "Signature": "+1poSGG5hjCbn7rd+aRjgzW+0Jr2uRs5f9IUF+2X3IY="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>14SRI9VS3W53M5WALYZZ106J663IV44HBTC</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>cd606ca8-deab-468f-979f-9d5f76cde969:0</RequestId></ResponseMetadata></PayResponse>',1,'14SRI9VS3W53M5WALYZZ106J663IV44HBTC');
INSERT INTO "api_call" VALUES(16,'04f29bb0-e859-4841-ba24-ccf2d8e5906c','2026-11-30 05:14:37.198818','api','SettleDebt',2,'AKIAI44QH8DHBEXAMPLE','POST','localhost','/','{"Action": "SettleDebt", "AWSAccessKeyId": "AKIAI44QH8DHBEXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.192Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "CreditInstrumentId": "WDXV9U6IWHC9AMLH41NU3CX4VSIGGMK2FE2QE3BNOSI7ULWNUVI5D7PSDSLWYDC6", "SenderTokenId": "BG9J47IDHXYL2CANX4868WPBU62QX19ZV88A8KAKEA2NE0HMOL0G3QPL7IOJEAY3", "CallerReference": "settle-1", "SettlementAmount.Value": "2.00", "Signature": "aoM5mQ5uitGxGzMwSe0Te6C6O9EieQle1jiPPEW/0fE="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<SettleDebtResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><SettleDebtResult><TransactionId>14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0</TransactionId><TransactionStatus>Success</TransactionStatus></SettleDebtResult><ResponseMetadata><RequestId>04f29bb0-e859-4841-ba24-ccf2d8e5906c:0</RequestId></ResponseMetadata></SettleDebtResponse>',5,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0');
INSERT INTO "api_call" VALUES(17,'2b80b725-9293-4add-b0ee-695ee5aa05ff','2026-11-30 05:14:37.203597','api','WriteOffDebt',2,'AKIAI44QH8DHBEXAMPLE','POST','localhost','/','{"Action": "WriteOffDebt", "AWSAccessKeyId": "AKIAI44QH8DHBEXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.199Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "CreditInstrumentId": "WDXV9U6IWHC9AMLH41NU3CX4VSIGGMK2FE2QE3BNOSI7ULWNUVI5D7PSDSLWYDC6", "CallerReference": "write-off-1", "AdjustmentAmount.Value": "1.00", "Signature": "LoUruDWay9JFdJixUN9t2coaWH/YSBohlUfTvAHgzLA="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<WriteOffDebtResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><WriteOffDebtResult><TransactionId>14Y6WK3JAL8A4ZXWHR94PQPNNH7AFV4YFR9</TransactionId><TransactionStatus>Success</TransactionStatus></WriteOffDebtResult><ResponseMetadata><RequestId>2b80b725-9293-4add-b0ee-695ee5aa05ff:0</RequestId></ResponseMetadata></WriteOffDebtResponse>',3,'14Y6WK3JAL8A4ZXWHR94PQPNNH7AFV4YFR9');
INSERT INTO "api_call" VALUES(18,'262423c5-3689-4315-b0fe-d20dd9163252','2026-11-30 05:14:37.206091','api','Pay',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.204Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "too-much", "TransactionAmount.Value": "50.00", "Signature": "WyLLcVoUbPITQ9ERrE8UigkiKnmw/Mxtdh79Svv90u4="}','ok',NULL,NULL,400,'InsufficientBalance','<?xml version="1.0"?>
<Response><Errors><Error><Code>InsufficientBalance</Code><Message>The transaction exceeds the account/instrument limits. The prepaid balance is $7.75.</Message></Error></Errors><RequestID>262423c5-3689-4315-b0fe-d20dd9163252</RequestID></Response>',1,NULL);
INSERT INTO "api_call" VALUES(19,'806289c6-98f9-4f98-946b-440bc85a82b8','2026-12-02 05:14:37.227098','api','Pay',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:37.224Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "after-the-fold", "TransactionAmount.Value": "0.01", "Signature": "4PYr7v0uRqsZObqRapgCI6gzP+GjsoSNLD+PFQfwvLc="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>145I99F4HBO90G4K2TXRXV7R4SDW5PPWJIS</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>806289c6-98f9-4f98-946b-440bc85a82b8:0</RequestId></ResponseMetadata></PayResponse>',2,'145I99F4HBO90G4K2TXRXV7R4SDW5PPWJIS');
CREATE TABLE book_total (
	book VARCHAR(64) NOT NULL, 
	amount_cents BIGINT NOT NULL, 
	lines BIGINT NOT NULL, 
	PRIMARY KEY (book)
);
INSERT INTO "book_total" VALUES('balance:1',1440,2);
INSERT INTO "book_total" VALUES('balance:2',185,1);
INSERT INTO "book_total" VALUES('balance:3',9500,2);
INSERT INTO "book_total" VALUES('balance:4',2500,1);
INSERT INTO "book_total" VALUES('balance:5',500,1);
INSERT INTO "book_total" VALUES('clearing',0,9);
INSERT INTO "book_total" VALUES('credit_sales:2',-100,4);
INSERT INTO "book_total" VALUES('fee_revenue',75,3);
INSERT INTO "book_total" VALUES('funding:CC:1',-1000,1);
INSERT INTO "book_total" VALUES('funding:CC:3',-200,1);
INSERT INTO "book_total" VALUES('opening',-13000,3);
INSERT INTO "book_total" VALUES('prepaid:1',775,7);
INSERT INTO "book_total" VALUES('prepaid:2',500,1);
INSERT INTO "book_total" VALUES('prepaid_liability:1',-1275,8);
INSERT INTO "book_total" VALUES('receivable:3',0,5);
INSERT INTO "book_total" VALUES('written_off:2',100,1);
CREATE TABLE caller_total (
	caller_id INTEGER NOT NULL, 
	operation VARCHAR(16) NOT NULL, 
	status VARCHAR(9) NOT NULL, 
	count BIGINT NOT NULL, 
	amount_cents BIGINT NOT NULL, 
	fee_cents BIGINT NOT NULL, 
	PRIMARY KEY (caller_id, operation, status), 
	FOREIGN KEY(caller_id) REFERENCES account (id)
);
INSERT INTO "caller_total" VALUES(1,'FundPrepaid','Success',2,1500,60);
INSERT INTO "caller_total" VALUES(1,'Pay','Success',5,250,0);
INSERT INTO "caller_total" VALUES(1,'Refund','Success',1,25,0);
INSERT INTO "caller_total" VALUES(2,'Pay','Success',3,300,0);
INSERT INTO "caller_total" VALUES(2,'SettleDebt','Success',1,200,15);
INSERT INTO "caller_total" VALUES(2,'WriteOffDebt','Success',1,100,0);
CREATE TABLE cbui_pipeline (
	id VARCHAR(40) NOT NULL, 
	caller_id INTEGER NOT NULL, 
	pipeline_name VARCHAR(16) NOT NULL, 
	params TEXT NOT NULL, 
	buyer_id INTEGER, 
	payment_method VARCHAR(3), 
	payment_method_id INTEGER, 
	state VARCHAR(12) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(caller_id) REFERENCES account (id), 
	FOREIGN KEY(buyer_id) REFERENCES account (id), 
	FOREIGN KEY(payment_method_id) REFERENCES payment_method (id)
);
INSERT INTO "cbui_pipeline" VALUES('23rjaxq1n1j20otygt2j2y4md22qdhwk',1,'SetupPrepaid','{"callerReferenceFunding": "fund-1", "callerReferenceSender": "sender-1", "fundingAmount": 1000, "currencyCode": "USD", "paymentMethod": ["ABT", "ACH", "CC"], "validityStart": "2026-11-30 05:14:36.918565", "validityExpiry": null, "returnURL": "https://merchant.example.com/fps/return?order=42", "pipelineName": "SetupPrepaid"}',3,'CC',1,'done','2026-11-30 05:14:36.918896');
INSERT INTO "cbui_pipeline" VALUES('gbahkfc0z5h0vd5mgg7hntmxdpvwvjw8',1,'SetupPrepaid','{"callerReferenceFunding": "fund-2", "callerReferenceSender": "sender-2", "fundingAmount": 500, "currencyCode": "USD", "paymentMethod": ["ABT", "ACH", "CC"], "validityStart": "2026-11-30 05:14:37.082550", "validityExpiry": null, "returnURL": "https://merchant.example.com/fps/return?order=42", "pipelineName": "SetupPrepaid"}',3,'ABT',NULL,'done','2026-11-30 05:14:37.082738');
INSERT INTO "cbui_pipeline" VALUES('l0omokf8vxvswactqahk84bnmek97j2e',2,'SetupPostpaid','{"callerReferenceSender": "reader-1", "callerReferenceSettlement": "settle-1", "creditLimit": 2000, "globalAmountLimit": 10000, "usageLimits": [], "currencyCode": "USD", "paymentMethod": ["CC"], "validityStart": "2026-11-30 05:14:37.133359", "validityExpiry": null, "returnURL": "https://merchant.example.com/fps/return?order=42", "pipelineName": "SetupPostpaid"}',4,'CC',3,'done','2026-11-30 05:14:37.133544');
CREATE TABLE delivery_attempt (
	id INTEGER NOT NULL, 
	notification_pk INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	outcome VARCHAR(16) NOT NULL, 
	http_status INTEGER, 
	response_excerpt VARCHAR(512), 
	duration_ms INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(notification_pk) REFERENCES notification (id)
);
CREATE TABLE fault (
	id INTEGER NOT NULL, 
	action VARCHAR(40) NOT NULL, 
	mode VARCHAR(12) NOT NULL, 
	error_code VARCHAR(64), 
	remaining INTEGER, 
	per_mille INTEGER, 
	delay_ms INTEGER NOT NULL, 
	hits INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "fault" VALUES(1,'Refund','error','InternalError',2,NULL,0,0,'2026-11-30 05:14:37.208312');
CREATE TABLE fps_transaction (
	id INTEGER NOT NULL, 
	transaction_id VARCHAR(35) NOT NULL, 
	caller_reference VARCHAR(128) NOT NULL, 
	fingerprint VARCHAR(64) NOT NULL, 
	operation VARCHAR(16) NOT NULL, 
	payment_method VARCHAR(8) NOT NULL, 
	caller_id INTEGER NOT NULL, 
	sender_id INTEGER NOT NULL, 
	recipient_id INTEGER NOT NULL, 
	instrument_pk INTEGER, 
	sender_token_pk INTEGER, 
	amount_cents BIGINT NOT NULL, 
	fee_cents BIGINT NOT NULL, 
	fees_paid_by VARCHAR(9) NOT NULL, 
	status VARCHAR(9) NOT NULL, 
	status_code VARCHAR(32) NOT NULL, 
	status_message VARCHAR(255) NOT NULL, 
	caller_description VARCHAR(160), 
	sender_description VARCHAR(160), 
	date_received DATETIME NOT NULL, 
	date_completed DATETIME, 
	parent_pk INTEGER, 
	due_at DATETIME, 
	outcome VARCHAR(32), 
	override_ipn_url VARCHAR(2048), 
	PRIMARY KEY (id), 
	UNIQUE (caller_id, caller_reference), 
	UNIQUE (transaction_id), 
	FOREIGN KEY(caller_id) REFERENCES account (id), 
	FOREIGN KEY(sender_id) REFERENCES account (id), 
	FOREIGN KEY(recipient_id) REFERENCES account (id), 
	FOREIGN KEY(instrument_pk) REFERENCES instrument (id), 
	FOREIGN KEY(sender_token_pk) REFERENCES token (id), 
	FOREIGN KEY(parent_pk) REFERENCES fps_transaction (id)
);
INSERT INTO "fps_transaction" VALUES(1,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU','fund-card','38ea1bfbd35b170d52a3f065d4e3e004b27653aa2318b8a013ff2d180db51443','FundPrepaid','CC',1,3,1,1,1,1000,30,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:36.994851','2026-11-30 05:14:36.994851',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(2,'147KQ05GXEE9B71Y0XKPH422HVJ209ZY1DV','song-0','9193129ed24fec223de431e54c6607f7a1c186263187be00060c1ab513578937','Pay','Prepaid',1,3,1,1,2,50,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:37.063332','2026-11-30 05:14:37.063332',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(3,'14BNE8B78P3BFACA3DVJEPG9NVUWRJE5GQ3','song-1','66a5528cc6ca3dbe11c7c3659251d730c4c07004dc85bd7e0d8d3355fef1a18e','Pay','Prepaid',1,3,1,1,2,50,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:37.068499','2026-11-30 05:14:37.068499',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(4,'14U83SEVR5TY3Q46F754MJEN4NAKCW17DNE','song-2','798f202c5d671c5754c007741fe3b19bd47de8897ec3eeecc914881f5c39d0bb','Pay','Prepaid',1,3,1,1,2,50,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:37.070517','2026-11-30 05:14:37.070517',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(5,'1464S8S1RN94V5X2CEDVZFSEY2D9XEMF07G','song-3','afcf24ec966b846306b9ece6761b93641208818d467b1b240cb166177b144183','Pay','Prepaid',1,3,1,1,2,50,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:37.072527','2026-11-30 05:14:37.072527',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(6,'14GW40QDWQ2U08W6JA5B9QCJZNWD4N3FYQO','song-4','a5bb8ef4251590bfeb3f1c618524026d73929f7e42dfec2381e125fab11c9691','Pay','Prepaid',1,3,1,1,2,50,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:37.074320','2026-11-30 05:14:37.074320',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(7,'14AT4DQA98YRCEZ295PJTMT5Q9ZB0XWA5RT','refund-1','a03888b9d37cae41c0107fdddc6902e879984dd366563c826186dd856a2a7833','Refund','Prepaid',1,3,1,1,NULL,25,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:37.076174','2026-11-30 05:14:37.076174',2,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(8,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X','fund-abt','a8140afacebee3adcb7141043236bd30b221d5c4eabf8a8ff0bc072fe99e6d3e','FundPrepaid','ABT',1,3,1,2,3,500,30,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:37.125050','2026-11-30 05:14:37.125050',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(9,'14LP3BJ0IITJFB93IEST7NE4FIH58NWZQ3L','article-0','d04af1ea274f2520293873ef851d5fbacb639f8d1e91adbdcc04265054968ecb','Pay','Debt',2,4,2,3,5,100,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:37.183450','2026-11-30 05:14:37.183450',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(10,'140FFFG8IXA50Y9B1E7ALTQ2C5A82ABEDFH','article-1','434e3709270754a060d3b267259fec2107a2a350f7e0a8c447373d89dc5f8bd8','Pay','Debt',2,4,2,3,5,100,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:37.188026','2026-11-30 05:14:37.188026',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(11,'14SRI9VS3W53M5WALYZZ106J663IV44HBTC','article-2','f8970540e80d213b29c6a009d3738a8140c0f90516cb974449e2c3e8c3c6bb68','Pay','Debt',2,4,2,3,5,100,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:37.190692','2026-11-30 05:14:37.190692',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(12,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0','settle-1','c9aea7342febccccd5c0ef5b1ca68f596e2bb230035c303a0b24b35668dfb1e9','SettleDebt','CC',2,4,2,3,6,200,15,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:37.193458','2026-11-30 05:14:37.193458',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(13,'14Y6WK3JAL8A4ZXWHR94PQPNNH7AFV4YFR9','write-off-1','b2f5934722e325aa9c2f3bd349c9bc8092c11b7d7f56bebf27730b870a957f2e','WriteOffDebt','Debt',2,4,2,3,NULL,100,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:37.200638','2026-11-30 05:14:37.200638',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(14,'145I99F4HBO90G4K2TXRXV7R4SDW5PPWJIS','after-the-fold','5cc73ca34a961023bca998175f1f28a4b3632dce44536b3603b593af9622e5e2','Pay','Prepaid',1,3,1,1,2,1,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-12-02 05:14:37.226138','2026-12-02 05:14:37.226138',NULL,NULL,NULL,NULL);
CREATE TABLE instrument (
	id INTEGER NOT NULL, 
	instrument_id VARCHAR(65) NOT NULL, 
	kind VARCHAR(8) NOT NULL, 
	caller_id INTEGER NOT NULL, 
	sender_id INTEGER NOT NULL, 
	recipient_id INTEGER NOT NULL, 
	currency VARCHAR(3) NOT NULL, 
	limit_cents BIGINT NOT NULL, 
	balance_cents BIGINT NOT NULL, 
	funded_cents BIGINT NOT NULL, 
	debt_cents BIGINT NOT NULL, 
	global_limit_cents BIGINT, 
	payment_method VARCHAR(3) NOT NULL, 
	payment_method_id INTEGER, 
	payment_reason TEXT, 
	validity_start DATETIME NOT NULL, 
	validity_expiry DATETIME, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (instrument_id), 
	FOREIGN KEY(caller_id) REFERENCES account (id), 
	FOREIGN KEY(sender_id) REFERENCES account (id), 
	FOREIGN KEY(recipient_id) REFERENCES account (id), 
	FOREIGN KEY(payment_method_id) REFERENCES payment_method (id)
);
INSERT INTO "instrument" VALUES(1,'8VHXM76SXZ29BNVKVD5SEXLHREH5ZA2AL6WLNOE9BP0O9I96Y6Q32SQZOD0JR2GA','Prepaid',1,3,1,'USD',1000,774,1000,0,NULL,'CC',1,NULL,'2026-11-30 05:14:36.918565',NULL,'2026-11-30 05:14:36.984470');
INSERT INTO "instrument" VALUES(2,'RX4JJ8KPN9T6FJXLXSCEPTGJAJLNV4Z0KR06IABS5F2X56D2EEORCJGEDAHLPZWR','Prepaid',1,3,1,'USD',500,500,500,0,NULL,'ABT',NULL,NULL,'2026-11-30 05:14:37.082550',NULL,'2026-11-30 05:14:37.121192');
INSERT INTO "instrument" VALUES(3,'WDXV9U6IWHC9AMLH41NU3CX4VSIGGMK2FE2QE3BNOSI7ULWNUVI5D7PSDSLWYDC6','Credit',2,4,2,'USD',2000,0,0,0,10000,'CC',3,NULL,'2026-11-30 05:14:37.133359',NULL,'2026-11-30 05:14:37.177985');
CREATE TABLE ledger_entry (
	id INTEGER NOT NULL, 
	journal VARCHAR(40) NOT NULL, 
	transaction_pk INTEGER, 
	book VARCHAR(64) NOT NULL, 
	amount_cents BIGINT NOT NULL, 
	memo VARCHAR(160) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(transaction_pk) REFERENCES fps_transaction (id)
);
INSERT INTO "ledger_entry" VALUES(1,'OPENING-3',NULL,'opening',-10000,'opening balance of the demo world','2026-01-01 00:00:00.000000');
INSERT INTO "ledger_entry" VALUES(2,'OPENING-3',NULL,'balance:3',10000,'opening balance of the demo world','2026-01-01 00:00:00.000000');
INSERT INTO "ledger_entry" VALUES(3,'OPENING-4',NULL,'opening',-2500,'opening balance of the demo world','2026-01-01 00:00:00.000000');
INSERT INTO "ledger_entry" VALUES(4,'OPENING-4',NULL,'balance:4',2500,'opening balance of the demo world','2026-01-01 00:00:00.000000');
INSERT INTO "ledger_entry" VALUES(5,'OPENING-5',NULL,'opening',-500,'opening balance of the demo world','2026-01-01 00:00:00.000000');
INSERT INTO "ledger_entry" VALUES(6,'OPENING-5',NULL,'balance:5',500,'opening balance of the demo world','2026-01-01 00:00:00.000000');
INSERT INTO "ledger_entry" VALUES(7,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU',1,'funding:CC:1',-1000,'buyer pays by CC','2026-11-30 05:14:36.994851');
INSERT INTO "ledger_entry" VALUES(8,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU',1,'clearing',1000,'buyer pays by CC','2026-11-30 05:14:36.994851');
INSERT INTO "ledger_entry" VALUES(9,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU',1,'clearing',-970,'recipient receives net','2026-11-30 05:14:36.994851');
INSERT INTO "ledger_entry" VALUES(10,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU',1,'balance:1',970,'recipient receives net','2026-11-30 05:14:36.994851');
INSERT INTO "ledger_entry" VALUES(11,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU',1,'clearing',-30,'FPS fee (2.9% + $0.01)','2026-11-30 05:14:36.994851');
INSERT INTO "ledger_entry" VALUES(12,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU',1,'fee_revenue',30,'FPS fee (2.9% + $0.01)','2026-11-30 05:14:36.994851');
INSERT INTO "ledger_entry" VALUES(13,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU',1,'prepaid_liability:1',-1000,'prepaid value issued to the buyer','2026-11-30 05:14:36.994851');
INSERT INTO "ledger_entry" VALUES(14,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU',1,'prepaid:1',1000,'prepaid value issued to the buyer','2026-11-30 05:14:36.994851');
INSERT INTO "ledger_entry" VALUES(15,'147KQ05GXEE9B71Y0XKPH422HVJ209ZY1DV',2,'prepaid:1',-50,'prepaid balance spent','2026-11-30 05:14:37.063332');
INSERT INTO "ledger_entry" VALUES(16,'147KQ05GXEE9B71Y0XKPH422HVJ209ZY1DV',2,'prepaid_liability:1',50,'prepaid balance spent','2026-11-30 05:14:37.063332');
INSERT INTO "ledger_entry" VALUES(17,'14BNE8B78P3BFACA3DVJEPG9NVUWRJE5GQ3',3,'prepaid:1',-50,'prepaid balance spent','2026-11-30 05:14:37.068499');
INSERT INTO "ledger_entry" VALUES(18,'14BNE8B78P3BFACA3DVJEPG9NVUWRJE5GQ3',3,'prepaid_liability:1',50,'prepaid balance spent','2026-11-30 05:14:37.068499');
INSERT INTO "ledger_entry" VALUES(19,'14U83SEVR5TY3Q46F754MJEN4NAKCW17DNE',4,'prepaid:1',-50,'prepaid balance spent','2026-11-30 05:14:37.070517');
INSERT INTO "ledger_entry" VALUES(20,'14U83SEVR5TY3Q46F754MJEN4NAKCW17DNE',4,'prepaid_liability:1',50,'prepaid balance spent','2026-11-30 05:14:37.070517');
INSERT INTO "ledger_entry" VALUES(21,'1464S8S1RN94V5X2CEDVZFSEY2D9XEMF07G',5,'prepaid:1',-50,'prepaid balance spent','2026-11-30 05:14:37.072527');
INSERT INTO "ledger_entry" VALUES(22,'1464S8S1RN94V5X2CEDVZFSEY2D9XEMF07G',5,'prepaid_liability:1',50,'prepaid balance spent','2026-11-30 05:14:37.072527');
INSERT INTO "ledger_entry" VALUES(23,'14GW40QDWQ2U08W6JA5B9QCJZNWD4N3FYQO',6,'prepaid:1',-50,'prepaid balance spent','2026-11-30 05:14:37.074320');
INSERT INTO "ledger_entry" VALUES(24,'14GW40QDWQ2U08W6JA5B9QCJZNWD4N3FYQO',6,'prepaid_liability:1',50,'prepaid balance spent','2026-11-30 05:14:37.074320');
INSERT INTO "ledger_entry" VALUES(25,'14AT4DQA98YRCEZ295PJTMT5Q9ZB0XWA5RT',7,'prepaid_liability:1',-25,'reversal: prepaid balance restored','2026-11-30 05:14:37.076174');
INSERT INTO "ledger_entry" VALUES(26,'14AT4DQA98YRCEZ295PJTMT5Q9ZB0XWA5RT',7,'prepaid:1',25,'reversal: prepaid balance restored','2026-11-30 05:14:37.076174');
INSERT INTO "ledger_entry" VALUES(27,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X',8,'balance:3',-500,'buyer pays by ABT','2026-11-30 05:14:37.125050');
INSERT INTO "ledger_entry" VALUES(28,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X',8,'clearing',500,'buyer pays by ABT','2026-11-30 05:14:37.125050');
INSERT INTO "ledger_entry" VALUES(29,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X',8,'clearing',-470,'recipient receives net','2026-11-30 05:14:37.125050');
INSERT INTO "ledger_entry" VALUES(30,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X',8,'balance:1',470,'recipient receives net','2026-11-30 05:14:37.125050');
INSERT INTO "ledger_entry" VALUES(31,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X',8,'clearing',-30,'FPS fee (5.0% + $0.05)','2026-11-30 05:14:37.125050');
INSERT INTO "ledger_entry" VALUES(32,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X',8,'fee_revenue',30,'FPS fee (5.0% + $0.05)','2026-11-30 05:14:37.125050');
INSERT INTO "ledger_entry" VALUES(33,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X',8,'prepaid_liability:1',-500,'prepaid value issued to the buyer','2026-11-30 05:14:37.125050');
INSERT INTO "ledger_entry" VALUES(34,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X',8,'prepaid:2',500,'prepaid value issued to the buyer','2026-11-30 05:14:37.125050');
INSERT INTO "ledger_entry" VALUES(35,'14LP3BJ0IITJFB93IEST7NE4FIH58NWZQ3L',9,'credit_sales:2',-100,'charged on credit: the buyer owes it','2026-11-30 05:14:37.183450');
INSERT INTO "ledger_entry" VALUES(36,'14LP3BJ0IITJFB93IEST7NE4FIH58NWZQ3L',9,'receivable:3',100,'charged on credit: the buyer owes it','2026-11-30 05:14:37.183450');
INSERT INTO "ledger_entry" VALUES(37,'140FFFG8IXA50Y9B1E7ALTQ2C5A82ABEDFH',10,'credit_sales:2',-100,'charged on credit: the buyer owes it','2026-11-30 05:14:37.188026');
INSERT INTO "ledger_entry" VALUES(38,'140FFFG8IXA50Y9B1E7ALTQ2C5A82ABEDFH',10,'receivable:3',100,'charged on credit: the buyer owes it','2026-11-30 05:14:37.188026');
INSERT INTO "ledger_entry" VALUES(39,'14SRI9VS3W53M5WALYZZ106J663IV44HBTC',11,'credit_sales:2',-100,'charged on credit: the buyer owes it','2026-11-30 05:14:37.190692');
INSERT INTO "ledger_entry" VALUES(40,'14SRI9VS3W53M5WALYZZ106J663IV44HBTC',11,'receivable:3',100,'charged on credit: the buyer owes it','2026-11-30 05:14:37.190692');
INSERT INTO "ledger_entry" VALUES(41,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0',12,'funding:CC:3',-200,'buyer pays by CC','2026-11-30 05:14:37.193458');
INSERT INTO "ledger_entry" VALUES(42,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0',12,'clearing',200,'buyer pays by CC','2026-11-30 05:14:37.193458');
INSERT INTO "ledger_entry" VALUES(43,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0',12,'clearing',-185,'recipient receives net','2026-11-30 05:14:37.193458');
INSERT INTO "ledger_entry" VALUES(44,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0',12,'balance:2',185,'recipient receives net','2026-11-30 05:14:37.193458');
INSERT INTO "ledger_entry" VALUES(45,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0',12,'clearing',-15,'FPS fee (5.0% + $0.05)','2026-11-30 05:14:37.193458');
INSERT INTO "ledger_entry" VALUES(46,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0',12,'fee_revenue',15,'FPS fee (5.0% + $0.05)','2026-11-30 05:14:37.193458');
INSERT INTO "ledger_entry" VALUES(47,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0',12,'receivable:3',-200,'debt settled','2026-11-30 05:14:37.193458');
INSERT INTO "ledger_entry" VALUES(48,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0',12,'credit_sales:2',200,'debt settled','2026-11-30 05:14:37.193458');
INSERT INTO "ledger_entry" VALUES(49,'14Y6WK3JAL8A4ZXWHR94PQPNNH7AFV4YFR9',13,'receivable:3',-100,'debt written off (an expense of the recipient)','2026-11-30 05:14:37.200638');
INSERT INTO "ledger_entry" VALUES(50,'14Y6WK3JAL8A4ZXWHR94PQPNNH7AFV4YFR9',13,'written_off:2',100,'debt written off (an expense of the recipient)','2026-11-30 05:14:37.200638');
INSERT INTO "ledger_entry" VALUES(51,'145I99F4HBO90G4K2TXRXV7R4SDW5PPWJIS',14,'prepaid:1',-1,'prepaid balance spent','2026-12-02 05:14:37.226138');
INSERT INTO "ledger_entry" VALUES(52,'145I99F4HBO90G4K2TXRXV7R4SDW5PPWJIS',14,'prepaid_liability:1',1,'prepaid balance spent','2026-12-02 05:14:37.226138');
CREATE TABLE notification (
	id INTEGER NOT NULL, 
	caller_id INTEGER NOT NULL, 
	notification_type VARCHAR(20) NOT NULL, 
	transaction_pk INTEGER, 
	token_pk INTEGER, 
	status VARCHAR(9), 
	status_code VARCHAR(32), 
	url VARCHAR(2048), 
	state VARCHAR(10) NOT NULL, 
	created_at DATETIME NOT NULL, 
	next_attempt_at DATETIME, 
	attempts INTEGER NOT NULL, 
	forced_failures_left INTEGER NOT NULL, 
	twice BOOLEAN NOT NULL, 
	edited_fields TEXT, 
	delivered_at DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(caller_id) REFERENCES account (id), 
	FOREIGN KEY(transaction_pk) REFERENCES fps_transaction (id), 
	FOREIGN KEY(token_pk) REFERENCES token (id)
);
INSERT INTO "notification" VALUES(1,1,'TransactionStatus',1,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:36.994851',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(2,1,'TransactionStatus',2,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:37.063332',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(3,1,'TransactionStatus',3,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:37.068499',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(4,1,'TransactionStatus',4,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:37.070517',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(5,1,'TransactionStatus',5,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:37.072527',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(6,1,'TransactionStatus',6,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:37.074320',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(7,1,'TransactionStatus',7,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:37.076174',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(8,1,'TransactionStatus',8,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:37.125050',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(9,1,'TokenCancellation',NULL,4,NULL,NULL,NULL,'no_url','2026-11-30 05:14:37.130012',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(10,2,'TransactionStatus',9,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:37.183450',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(11,2,'TransactionStatus',10,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:37.188026',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(12,2,'TransactionStatus',11,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:37.190692',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(13,2,'TransactionStatus',12,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:37.193458',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(14,2,'TransactionStatus',13,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:37.200638',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(15,1,'TransactionStatus',14,NULL,'Success','Success','https://merchant.example.com/ipn','queued','2026-12-02 05:14:37.226138','2026-12-02 05:14:37.226138',0,0,1,NULL,NULL);
CREATE TABLE payment_method (
	id INTEGER NOT NULL, 
	account_id INTEGER NOT NULL, 
	method VARCHAR(3) NOT NULL, 
	label VARCHAR(64) NOT NULL, 
	expiry VARCHAR(7), 
	PRIMARY KEY (id), 
	FOREIGN KEY(account_id) REFERENCES account (id)
);
INSERT INTO "payment_method" VALUES(1,3,'CC','Visa ending in 1111','02/2029');
INSERT INTO "payment_method" VALUES(2,3,'ACH','Checking account ending in 6789',NULL);
INSERT INTO "payment_method" VALUES(3,4,'CC','Mastercard ending in 4444','10/2028');
CREATE TABLE sandbox_meta (
	"key" VARCHAR(32) NOT NULL, 
	value VARCHAR(255) NOT NULL, 
	PRIMARY KEY ("key")
);
INSERT INTO "sandbox_meta" VALUES('schema_version','7');
INSERT INTO "sandbox_meta" VALUES('clock_offset_seconds','172800.0');
INSERT INTO "sandbox_meta" VALUES('rollup_ledger_through','50');
INSERT INTO "sandbox_meta" VALUES('rollup_status_through','13');
CREATE TABLE status_history (
	id INTEGER NOT NULL, 
	transaction_pk INTEGER NOT NULL, 
	date DATETIME NOT NULL, 
	status VARCHAR(9) NOT NULL, 
	status_code VARCHAR(32) NOT NULL, 
	amount_cents BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(transaction_pk) REFERENCES fps_transaction (id)
);
INSERT INTO "status_history" VALUES(1,1,'2026-11-30 05:14:36.994851','Success','Success',1000);
INSERT INTO "status_history" VALUES(2,2,'2026-11-30 05:14:37.063332','Success','Success',50);
INSERT INTO "status_history" VALUES(3,3,'2026-11-30 05:14:37.068499','Success','Success',50);
INSERT INTO "status_history" VALUES(4,4,'2026-11-30 05:14:37.070517','Success','Success',50);
INSERT INTO "status_history" VALUES(5,5,'2026-11-30 05:14:37.072527','Success','Success',50);
INSERT INTO "status_history" VALUES(6,6,'2026-11-30 05:14:37.074320','Success','Success',50);
INSERT INTO "status_history" VALUES(7,7,'2026-11-30 05:14:37.076174','Success','Success',25);
INSERT INTO "status_history" VALUES(8,8,'2026-11-30 05:14:37.125050','Success','Success',500);
INSERT INTO "status_history" VALUES(9,9,'2026-11-30 05:14:37.183450','Success','Success',100);
INSERT INTO "status_history" VALUES(10,10,'2026-11-30 05:14:37.188026','Success','Success',100);
INSERT INTO "status_history" VALUES(11,11,'2026-11-30 05:14:37.190692','Success','Success',100);
INSERT INTO "status_history" VALUES(12,12,'2026-11-30 05:14:37.193458','Success','Success',200);
INSERT INTO "status_history" VALUES(13,13,'2026-11-30 05:14:37.200638','Success','Success',100);
INSERT INTO "status_history" VALUES(14,14,'2026-12-02 05:14:37.226138','Success','Success',1);
CREATE TABLE token (
	id INTEGER NOT NULL, 
	token_id VARCHAR(65) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	token_type VARCHAR(16) NOT NULL, 
	instrument_pk INTEGER NOT NULL, 
	caller_id INTEGER NOT NULL, 
	sender_id INTEGER NOT NULL, 
	recipient_id INTEGER NOT NULL, 
	caller_reference VARCHAR(128) NOT NULL, 
	status VARCHAR(8) NOT NULL, 
	payment_method VARCHAR(8) NOT NULL, 
	payment_reason TEXT, 
	validity_start DATETIME NOT NULL, 
	validity_expiry DATETIME, 
	date_installed DATETIME NOT NULL, 
	cancelled_at DATETIME, 
	cancel_reason VARCHAR(1024), 
	PRIMARY KEY (id), 
	UNIQUE (caller_id, caller_reference), 
	UNIQUE (token_id), 
	FOREIGN KEY(instrument_pk) REFERENCES instrument (id), 
	FOREIGN KEY(caller_id) REFERENCES account (id), 
	FOREIGN KEY(sender_id) REFERENCES account (id), 
	FOREIGN KEY(recipient_id) REFERENCES account (id)
);
INSERT INTO "token" VALUES(1,'EVMJQ7JO5WJRRFNL2LX87NVLOR27KAQCB1EZN74CG8WP23RQDNFWVFWDDXQ6WZE3','Funding','MultiUse',1,1,3,1,'fund-1','Active','CC',NULL,'2026-11-30 05:14:36.918565',NULL,'2026-11-30 05:14:36.984470',NULL,NULL);
INSERT INTO "token" VALUES(2,'DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL','PrepaidSender','MultiUse',1,1,3,1,'sender-1','Active','Prepaid',NULL,'2026-11-30 05:14:36.918565',NULL,'2026-11-30 05:14:36.984470',NULL,NULL);
INSERT INTO "token" VALUES(3,'LWGGEYFIMUXVVG60OOUEX6NRJ6NMZN6OVKVQD6FUYQLQ9A5VRWX39SMN6RCVEMXW','Funding','MultiUse',2,1,3,1,'fund-2','Active','ABT',NULL,'2026-11-30 05:14:37.082550',NULL,'2026-11-30 05:14:37.121192',NULL,NULL);
INSERT INTO "token" VALUES(4,'T3V83J2M8WPG4MA2ABBXUR7QH9DBI9PMNN1WKG3USH9T7YWA64CCYYG9DURLYP11','PrepaidSender','MultiUse',2,1,3,1,'sender-2','Inactive','Prepaid',NULL,'2026-11-30 05:14:37.082550',NULL,'2026-11-30 05:14:37.121192','2026-11-30 05:14:37.130012','lesson over');
INSERT INTO "token" VALUES(5,'HY02AW4BA5YZ1VHFAXX9IFN7I5W1E2O0BKUJTDJWL9NKOWL9HV5JIS444ZC7FASA','CreditSender','MultiUse',3,2,4,2,'reader-1','Active','Debt',NULL,'2026-11-30 05:14:37.133359',NULL,'2026-11-30 05:14:37.177985',NULL,NULL);
INSERT INTO "token" VALUES(6,'BG9J47IDHXYL2CANX4868WPBU62QX19ZV88A8KAKEA2NE0HMOL0G3QPL7IOJEAY3','Settlement','MultiUse',3,2,4,2,'settle-1','Active','CC',NULL,'2026-11-30 05:14:37.133359',NULL,'2026-11-30 05:14:37.177985',NULL,NULL);
CREATE TABLE usage_limit (
	id INTEGER NOT NULL, 
	token_pk INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	kind VARCHAR(6) NOT NULL, 
	period_count INTEGER NOT NULL, 
	period_unit VARCHAR(5) NOT NULL, 
	value BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(token_pk) REFERENCES token (id)
);
CREATE INDEX ix_api_call_errors ON api_call (id) WHERE error_code IS NOT NULL;
CREATE INDEX ix_api_call_request_id ON api_call (request_id);
CREATE INDEX ix_api_call_access_key ON api_call (access_key, id);
CREATE INDEX ix_api_call_transaction ON api_call (transaction_id);
CREATE INDEX ix_api_call_action ON api_call (action, id);
CREATE INDEX ix_token_instrument ON token (instrument_pk);
CREATE INDEX ix_token_sender ON token (sender_id);
CREATE INDEX ix_usage_limit_token_pk ON usage_limit (token_pk);
CREATE INDEX ix_fps_transaction_parent_pk ON fps_transaction (parent_pk);
CREATE INDEX ix_fps_transaction_instrument_pk ON fps_transaction (instrument_pk);
CREATE INDEX ix_fps_transaction_unusual_status ON fps_transaction (status, id) WHERE status <> 'Success';
CREATE INDEX ix_fps_transaction_unusual_operation ON fps_transaction (operation, id) WHERE operation <> 'Pay';
CREATE INDEX ix_fps_transaction_caller ON fps_transaction (caller_id, id);
CREATE INDEX ix_fps_transaction_pending_due ON fps_transaction (due_at) WHERE status = 'Pending';
CREATE INDEX ix_fps_transaction_sender ON fps_transaction (sender_id, id);
CREATE INDEX ix_fps_transaction_sender_token_pk ON fps_transaction (sender_token_pk);
CREATE INDEX ix_status_history_transaction_pk ON status_history (transaction_pk);
CREATE INDEX ix_ledger_entry_journal ON ledger_entry (journal);
CREATE INDEX ix_ledger_entry_transaction_pk ON ledger_entry (transaction_pk);
CREATE INDEX ix_ledger_book ON ledger_entry (book, id);
CREATE INDEX ix_notification_due ON notification (next_attempt_at) WHERE state = 'queued';
CREATE INDEX ix_notification_caller ON notification (caller_id, id);
CREATE INDEX ix_notification_token ON notification (token_pk);
CREATE INDEX ix_notification_transaction_pk ON notification (transaction_pk);
CREATE INDEX ix_notification_state ON notification (state, id);
CREATE INDEX ix_delivery_attempt_notification_pk ON delivery_attempt (notification_pk);
COMMIT;
