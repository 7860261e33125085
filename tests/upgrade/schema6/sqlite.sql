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
INSERT INTO "api_call" VALUES(1,'ea18219579554258a7cd7b01ccfc2add','2026-11-30 05:14:39.196608','cbui','SetupPrepaid',1,'AKIAIOSFODNN7EXAMPLE','GET','localhost','/cobranded-ui/actions/start','{"callerKey": "AKIAIOSFODNN7EXAMPLE", "pipelineName": "SetupPrepaid", "version": "2009-01-09", "signatureVersion": "2", "signatureMethod": "HmacSHA256", "callerReferenceFunding": "fund-1", "callerReferenceSender": "sender-1", "fundingAmount": "10.00", "paymentMethod": "ABT,CC,ACH", "returnURL": "https://merchant.example.com/fps/return?order=42", "signature": "8PJqWsYLEdVKaKIeW89D3zXjOkjJIB7C9XfqnIcw/gI="}','ok',NULL,NULL,302,NULL,'/cobranded-ui/pipeline/23rjaxq1n1j20otygt2j2y4md22qdhwk/sign-in',19,NULL);
INSERT INTO "api_call" VALUES(2,'3dc83437-4a80-4b35-9a24-0c5b3960cf79','2026-11-30 05:14:39.344871','api','FundPrepaid',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "FundPrepaid", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:39.271Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "EVMJQ7JO5WJRRFNL2LX87NVLOR27KAQCB1EZN74CG8WP23RQDNFWVFWDDXQ6WZE3", "PrepaidInstrumentId": "8VHXM76SXZ29BNVKVD5SEXLHREH5ZA2AL6WLNOE9BP0O9I96Y6Q32SQZOD0JR2GA", "CallerReference": "fund-card", "FundingAmount.Value": "10.00", "Signature": "L5jD3KPImn8sqT/icALzh7HoeOXX3wcLMjRury+uixE="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<FundPrepaidResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><FundPrepaidResult><TransactionId>14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU</TransactionId><TransactionStatus>Success</TransactionStatus></FundPrepaidResult><ResponseMetadata><RequestId>3dc83437-4a80-4b35-9a24-0c5b3960cf79:0</RequestId></ResponseMetadata></FundPrepaidResponse>',73,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU');
INSERT INTO "api_call" VALUES(3,'c888281a-d18e-41fa-aba3-f50241ce334a','2026-11-30 05:14:39.351142','api','Pay',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:39.345Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "song-0", "TransactionAmount.Value": "0.50", "Signature": "JzEuPgmKSaV0OFFktif3dBvDgrjQJr8qMUJhqf2CpEI="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>147KQ05GXEE9B71Y0XKPH422HVJ209ZY1DV</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>c888281a-d18e-41fa-aba3-f50241ce334a:0</RequestId></ResponseMetadata></PayResponse>',4,'147KQ05GXEE9B71Y0XKPH422HVJ209ZY1DV');
INSERT INTO "api_call" VALUES(4,'5069a006-7705-4f11-b69e-920260f698aa','2026-11-30 05:14:39.353763','api','Pay',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:39.351Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "song-1", "TransactionAmount.Value": "0.50", "Signature": "E+aw7gyksbT5A8FDo97O4bHdj/T5xDE9YaH4MahDbiE="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>14BNE8B78P3BFACA3DVJEPG9NVUWRJE5GQ3</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>5069a006-7705-4f11-b69e-920260f698aa:0</RequestId></ResponseMetadata></PayResponse>',1,'14BNE8B78P3BFACA3DVJEPG9NVUWRJE5GQ3');
INSERT INTO "api_call" VALUES(5,'6927f049-64a2-4d52-ac3f-58747b67391e','2026-11-30 05:14:39.355975','api','Pay',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:39.354Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "song-2", "TransactionAmount.Value": "0.50", "Signature": "I/d/7BUcf6Pg7UJfFCGc8ZBEfq6ozYrU6ZCPL6r0jd4="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>14U83SEVR5TY3Q46F754MJEN4NAKCW17DNE</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>6927f049-64a2-4d52-ac3f-58747b67391e:0</RequestId></ResponseMetadata></PayResponse>',1,'14U83SEVR5TY3Q46F754MJEN4NAKCW17DNE');
INSERT INTO "api_call" VALUES(6,'1d4c400a-cb45-4cbe-8cc1-2d2879ecd163','2026-11-30 05:14:39.358240','api','Pay',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:39.356Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "song-3", "TransactionAmount.Value": "0.50", "Signature": "YsiBut3l9FBt0QtIUyiLL0gBs6thC+Ncc6ghjns6LcE="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>1464S8S1RN94V5X2CEDVZFSEY2D9XEMF07G</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>1d4c400a-cb45-4cbe-8cc1-2d2879ecd163:0</RequestId></ResponseMetadata></PayResponse>',1,'1464S8S1RN94V5X2CEDVZFSEY2D9XEMF07G');
INSERT INTO "api_call" VALUES(7,'1719540d-e876-49e8-939b-fd3b4104dda6','2026-11-30 05:14:39.360444','api','Pay',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:39.358Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "song-4", "TransactionAmount.Value": "0.50", "Signature": "ZuSZVP8a3reGGgC0ZKdY+zrD1LMlfYaKi6qhVqimkbM="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>14GW40QDWQ2U08W6JA5B9QCJZNWD4N3FYQO</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>1719540d-e876-49e8-939b-fd3b4104dda6:0</RequestId></ResponseMetadata></PayResponse>',1,'14GW40QDWQ2U08W6JA5B9QCJZNWD4N3FYQO');
INSERT INTO "api_call" VALUES(8,'6e7d3ad4-4127-44b8-b2fa-225a73ec158a','2026-11-30 05:14:39.367092','api','Refund',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "Refund", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:39.360Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "TransactionId": "147KQ05GXEE9B71Y0XKPH422HVJ209ZY1DV", "CallerReference": "refund-1", "RefundAmount.Value": "0.25", "Signature": "rP0zGeqBIJZ9uttmpD+EswzO3pK9t6qSQr1kBtBOUDE="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<RefundResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><RefundResult><TransactionId>14AT4DQA98YRCEZ295PJTMT5Q9ZB0XWA5RT</TransactionId><TransactionStatus>Success</TransactionStatus></RefundResult><ResponseMetadata><RequestId>6e7d3ad4-4127-44b8-b2fa-225a73ec158a:0</RequestId></ResponseMetadata></RefundResponse>',5,'14AT4DQA98YRCEZ295PJTMT5Q9ZB0XWA5RT');
INSERT INTO "api_call" VALUES(9,'9809fc4caa124eab86814b4b9c80c080','2026-11-30 05:14:39.369486','cbui','SetupPrepaid',1,'AKIAIOSFODNN7EXAMPLE','GET','localhost','/cobranded-ui/actions/start','{"callerKey": "AKIAIOSFODNN7EXAMPLE", "pipelineName": "SetupPrepaid", "version": "2009-01-09", "signatureVersion": "2", "signatureMethod": "HmacSHA256", "callerReferenceFunding": "fund-2", "callerReferenceSender": "sender-2", "fundingAmount": "5.00", "paymentMethod": "ABT,CC,ACH", "returnURL": "https://merchant.example.com/fps/return?order=42", "signature": "HIhn8kZTxvrm0QSvtTXF98BnoMkGXOTqQ6e35yYAv0Y="}','ok',NULL,NULL,302,NULL,'/cobranded-ui/pipeline/gbahkfc0z5h0vd5mgg7hntmxdpvwvjw8/sign-in',1,NULL);
INSERT INTO "api_call" VALUES(10,'cc443356-1ce8-4ff6-bbc1-d9d3836a99e8','2026-11-30 05:14:39.416291','api','FundPrepaid',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "FundPrepaid", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:39.411Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "LWGGEYFIMUXVVG60OOUEX6NRJ6NMZN6OVKVQD6FUYQLQ9A5VRWX39SMN6RCVEMXW", "PrepaidInstrumentId": "RX4JJ8KPN9T6FJXLXSCEPTGJAJLNV4Z0KR06IABS5F2X56D2EEORCJGEDAHLPZWR", "CallerReference": "fund-abt", "FundingAmount.Value": "5.00", "Signature": "Oue+ZrSP+p8cp0HkDBzYE3Vs1orVJZSAGWvI0xrYDBU="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<FundPrepaidResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><FundPrepaidResult><TransactionId>14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X</TransactionId><TransactionStatus>Success</TransactionStatus></FundPrepaidResult><ResponseMetadata><RequestId>cc443356-1ce8-4ff6-bbc1-d9d3836a99e8:0</RequestId></ResponseMetadata></FundPrepaidResponse>',4,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X');
INSERT INTO "api_call" VALUES(11,'5ae48a16-4cae-49c0-ac10-10dbb0d5470e','2026-11-30 05:14:39.420236','api','CancelToken',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "CancelToken", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:39.416Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "TokenId": "T3V83J2M8WPG4MA2ABBXUR7QH9DBI9PMNN1WKG3USH9T7YWA64CCYYG9DURLYP11", "ReasonText": "lesson over", "Signature": "Afjkk7+X+JpY/6AwVvLXel32I2AHC1dwOThoqedbgTU="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<CancelTokenResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><ResponseMetadata><RequestId>5ae48a16-4cae-49c0-ac10-10dbb0d5470e:0</RequestId></ResponseMetadata></CancelTokenResponse>',2,NULL);
INSERT INTO "api_call" VALUES(12,'bcbcf87cc775405eabdff08dcd00e010','2026-11-30 05:14:39.422292','cbui','SetupPostpaid',2,'AKIAI44QH8DHBEXAMPLE','GET','localhost','/cobranded-ui/actions/start','{"callerKey": "AKIAI44QH8DHBEXAMPLE", "pipelineName": "SetupPostpaid", "version": "2009-01-09", "signatureVersion": "2", "signatureMethod": "HmacSHA256", "callerReferenceSender": "reader-1", "callerReferenceSettlement": "settle-1", "creditLimit": "20.00", "globalAmountLimit": "100.00", "paymentMethod": "CC", "returnURL": "https://merchant.example.com/fps/return?order=42", "signature": "O4+JNgT790N/VyJ6+ADQnurHOMko9B3TtMRTPQTA4cI="}','ok',NULL,NULL,302,NULL,'/cobranded-ui/pipeline/l0omokf8vxvswactqahk84bnmek97j2e/sign-in',0,NULL);
INSERT INTO "api_call" VALUES(13,'4f66b09f-b7af-4791-92d1-1474475ef998','2026-11-30 05:14:39.468865','api','Pay',2,'AKIAI44QH8DHBEXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAI44QH8DHBEXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:39.464Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "HY02AW4BA5YZ1VHFAXX9IFN7I5W1E2O0BKUJTDJWL9NKOWL9HV5JIS444ZC7FASA", "CallerReference": "article-0", "TransactionAmount.Value": "1.00", "Signature": "CcRKpkKGeVrmj/qvwg3O+A8CixroXOM3AObqz1hN2eU="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>14LP3BJ0IITJFB93IEST7NE4FIH58NWZQ3L</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>4f66b09f-b7af-4791-92d1-1474475ef998:0</RequestId></ResponseMetadata></PayResponse>',3,'14LP3BJ0IITJFB93IEST7NE4FIH58NWZQ3L');
INSERT INTO "api_call" VALUES(14,'ac8229a7-db42-4f46-ac7a-98c27957072e','2026-11-30 05:14:39.471923','api','Pay',2,'AKIAI44QH8DHBEXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAI44QH8DHBEXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:39.469Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "HY02AW4BA5YZ1VHFAXX9IFN7I5W1E2O0BKUJTDJWL9NKOWL9HV5JIS444ZC7FASA", "CallerReference": "article-1", "TransactionAmount.Value": "1.00", "Signature": "k6MdzD0HdYSFpOgiwSYqOozZs9P1KVnWGS0G/1M1dac="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>140FFFG8IXA50Y9B1E7ALTQ2C5A82ABEDFH</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>ac8229a7-db42-4f46-ac7a-98c27957072e:0</RequestId></ResponseMetadata></PayResponse>',2,'140FFFG8IXA50Y9B1E7ALTQ2C5A82ABEDFH');
INSERT INTO "api_call" VALUES(15,'31830e4f-7a88-4126-ac21-8b82e91bd7a4','2026-11-30 05:14:39.474596','api','Pay',2,'AKIAI44QH8DHBEXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAI44QH8DHBEXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:39.472Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "HY02AW4BA5YZ1VHFAXX9IFN7I5W1E2O0BKUJTDJWL9NKOWL9HV5JIS444ZC7FASA", "CallerReference": "article-2", "TransactionAmount.Value": "1.00", "Signature": "StjwyyNwz4SJ6QhOQ1i3e6plxxyv+l0UQnVojVdIBhQ="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>14SRI9VS3W53M5WALYZZ106J663IV44HBTC</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>31830e4f-7a88-4126-ac21-8b82e91bd7a4:0</RequestId></ResponseMetadata></PayResponse>',1,'14SRI9VS3W53M5WALYZZ106J663IV44HBTC');
INSERT INTO "api_call" VALUES(16,'0d2c73b5-bc00-4c38-9266-ffe1f98cac1d','2026-11-30 05:14:39.481314','api','SettleDebt',2,'AKIAI44QH8DHBEXAMPLE','POST','localhost','/','{"Action": "SettleDebt", "AWSAccessKeyId": "AKIAI44QH8DHBEXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:39.475Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "CreditInstrumentId": "WDXV9U6IWHC9AMLH41NU3CX4VSIGGMK2FE2QE3BNOSI7ULWNUVI5D7PSDSLWYDC6", "SenderTokenId": "BG9J47IDHXYL2CANX4868WPBU62QX19ZV88A8KAKEA2NE0HMOL0G3QPL7IOJEAY3", "CallerReference": "settle-1", "SettlementAmount.Value": "2.00", "Signature": "T5ic0NB4hj9el5F0kdmadpz932dWE3mZqpN6g+hYzXo="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<SettleDebtResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><SettleDebtResult><TransactionId>14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0</TransactionId><TransactionStatus>Success</TransactionStatus></SettleDebtResult><ResponseMetadata><RequestId>0d2c73b5-bc00-4c38-9266-ffe1f98cac1d:0</RequestId></ResponseMetadata></SettleDebtResponse>',5,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0');
INSERT INTO "api_call" VALUES(17,'c48d92b8-3633-47db-946d-8b82d4fca54f','2026-11-30 05:14:39.486097','api','WriteOffDebt',2,'AKIAI44QH8DHBEXAMPLE','POST','localhost','/','{"Action": "WriteOffDebt", "AWSAccessKeyId": "AKIAI44QH8DHBEXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:39.481Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "CreditInstrumentId": "WDXV9U6IWHC9AMLH41NU3CX4VSIGGMK2FE2QE3BNOSI7ULWNUVI5D7PSDSLWYDC6", "CallerReference": "write-off-1", "AdjustmentAmount.Value": "1.00", "Signature": "h5VSLQoEPyVcS2XiPsTLR9T8H2HuGCI7sinwG2M6Yj4="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<WriteOffDebtResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><WriteOffDebtResult><TransactionId>14Y6WK3JAL8A4ZXWHR94PQPNNH7AFV4YFR9</TransactionId><TransactionStatus>Success</TransactionStatus></WriteOffDebtResult><ResponseMetadata><RequestId>c48d92b8-3633-47db-946d-8b82d4fca54f:0</RequestId></ResponseMetadata></WriteOffDebtResponse>',3,'14Y6WK3JAL8A4ZXWHR94PQPNNH7AFV4YFR9');
INSERT INTO "api_call" VALUES(18,'4b2e5e6e-deae-4091-a09c-171a8ea909be','2026-11-30 05:14:39.489168','api','Pay',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:39.486Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "too-much", "TransactionAmount.Value": "50.00", "Signature": "hzAMJ2SR/WW4D4rH7g2CC2PB7L1diYGhGzRcwP5evAM="}','ok',NULL,NULL,400,'InsufficientBalance','<?xml version="1.0"?>
<Response><Errors><Error><Code>InsufficientBalance</Code><Message>The transaction exceeds the account/instrument limits. The prepaid balance is $7.75.</Message></Error></Errors><RequestID>4b2e5e6e-deae-4091-a09c-171a8ea909be</RequestID></Response>',1,NULL);
INSERT INTO "api_call" VALUES(19,'6edceaf0-952a-42c3-8948-08c8bee3c87b','2026-12-02 05:14:39.496294','api','Pay',1,'AKIAIOSFODNN7EXAMPLE','POST','localhost','/','{"Action": "Pay", "AWSAccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Version": "2008-09-17", "Timestamp": "2026-11-30T05:14:39.493Z", "SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "SenderTokenId": "DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL", "CallerReference": "after-the-fold", "TransactionAmount.Value": "0.01", "Signature": "QJkvqjx/qlgVL24Wi752lK51+IC4ByhLMdGlNPXRW7I="}','ok',NULL,NULL,200,NULL,'<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2008-09-17/"><PayResult><TransactionId>145I99F4HBO90G4K2TXRXV7R4SDW5PPWJIS</TransactionId><TransactionStatus>Success</TransactionStatus></PayResult><ResponseMetadata><RequestId>6edceaf0-952a-42c3-8948-08c8bee3c87b:0</RequestId></ResponseMetadata></PayResponse>',2,'145I99F4HBO90G4K2TXRXV7R4SDW5PPWJIS');
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
INSERT INTO "cbui_pipeline" VALUES('23rjaxq1n1j20otygt2j2y4md22qdhwk',1,'SetupPrepaid','{"callerReferenceFunding": "fund-1", "callerReferenceSender": "sender-1", "fundingAmount": 1000, "currencyCode": "USD", "paymentMethod": ["ABT", "ACH", "CC"], "validityStart": "2026-11-30 05:14:39.195338", "validityExpiry": null, "returnURL": "https://merchant.example.com/fps/return?order=42", "pipelineName": "SetupPrepaid"}',3,'CC',1,'done','2026-11-30 05:14:39.195661');
INSERT INTO "cbui_pipeline" VALUES('gbahkfc0z5h0vd5mgg7hntmxdpvwvjw8',1,'SetupPrepaid','{"callerReferenceFunding": "fund-2", "callerReferenceSender": "sender-2", "fundingAmount": 500, "currencyCode": "USD", "paymentMethod": ["ABT", "ACH", "CC"], "validityStart": "2026-11-30 05:14:39.368792", "validityExpiry": null, "returnURL": "https://merchant.example.com/fps/return?order=42", "pipelineName": "SetupPrepaid"}',3,'ABT',NULL,'done','2026-11-30 05:14:39.369000');
INSERT INTO "cbui_pipeline" VALUES('l0omokf8vxvswactqahk84bnmek97j2e',2,'SetupPostpaid','{"callerReferenceSender": "reader-1", "callerReferenceSettlement": "settle-1", "creditLimit": 2000, "globalAmountLimit": 10000, "usageLimits": [], "currencyCode": "USD", "paymentMethod": ["CC"], "validityStart": "2026-11-30 05:14:39.421646", "validityExpiry": null, "returnURL": "https://merchant.example.com/fps/return?order=42", "pipelineName": "SetupPostpaid"}',4,'CC',3,'done','2026-11-30 05:14:39.421850');
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
INSERT INTO "fault" VALUES(1,'Refund','error','InternalError',2,NULL,0,0,'2026-11-30 05:14:39.491198');
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
INSERT INTO "fps_transaction" VALUES(1,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU','fund-card','38ea1bfbd35b170d52a3f065d4e3e004b27653aa2318b8a013ff2d180db51443','FundPrepaid','CC',1,3,1,1,1,1000,30,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:39.273962','2026-11-30 05:14:39.273962',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(2,'147KQ05GXEE9B71Y0XKPH422HVJ209ZY1DV','song-0','9193129ed24fec223de431e54c6607f7a1c186263187be00060c1ab513578937','Pay','Prepaid',1,3,1,1,2,50,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:39.347062','2026-11-30 05:14:39.347062',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(3,'14BNE8B78P3BFACA3DVJEPG9NVUWRJE5GQ3','song-1','66a5528cc6ca3dbe11c7c3659251d730c4c07004dc85bd7e0d8d3355fef1a18e','Pay','Prepaid',1,3,1,1,2,50,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:39.352937','2026-11-30 05:14:39.352937',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(4,'14U83SEVR5TY3Q46F754MJEN4NAKCW17DNE','song-2','798f202c5d671c5754c007741fe3b19bd47de8897ec3eeecc914881f5c39d0bb','Pay','Prepaid',1,3,1,1,2,50,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:39.355190','2026-11-30 05:14:39.355190',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(5,'1464S8S1RN94V5X2CEDVZFSEY2D9XEMF07G','song-3','afcf24ec966b846306b9ece6761b93641208818d467b1b240cb166177b144183','Pay','Prepaid',1,3,1,1,2,50,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:39.357458','2026-11-30 05:14:39.357458',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(6,'14GW40QDWQ2U08W6JA5B9QCJZNWD4N3FYQO','song-4','a5bb8ef4251590bfeb3f1c618524026d73929f7e42dfec2381e125fab11c9691','Pay','Prepaid',1,3,1,1,2,50,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:39.359687','2026-11-30 05:14:39.359687',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(7,'14AT4DQA98YRCEZ295PJTMT5Q9ZB0XWA5RT','refund-1','a03888b9d37cae41c0107fdddc6902e879984dd366563c826186dd856a2a7833','Refund','Prepaid',1,3,1,1,NULL,25,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:39.361735','2026-11-30 05:14:39.361735',2,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(8,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X','fund-abt','a8140afacebee3adcb7141043236bd30b221d5c4eabf8a8ff0bc072fe99e6d3e','FundPrepaid','ABT',1,3,1,2,3,500,30,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:39.412684','2026-11-30 05:14:39.412684',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(9,'14LP3BJ0IITJFB93IEST7NE4FIH58NWZQ3L','article-0','d04af1ea274f2520293873ef851d5fbacb639f8d1e91adbdcc04265054968ecb','Pay','Debt',2,4,2,3,5,100,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:39.465662','2026-11-30 05:14:39.465662',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(10,'140FFFG8IXA50Y9B1E7ALTQ2C5A82ABEDFH','article-1','434e3709270754a060d3b267259fec2107a2a350f7e0a8c447373d89dc5f8bd8','Pay','Debt',2,4,2,3,5,100,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:39.470399','2026-11-30 05:14:39.470399',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(11,'14SRI9VS3W53M5WALYZZ106J663IV44HBTC','article-2','f8970540e80d213b29c6a009d3738a8140c0f90516cb974449e2c3e8c3c6bb68','Pay','Debt',2,4,2,3,5,100,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:39.473292','2026-11-30 05:14:39.473292',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(12,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0','settle-1','c9aea7342febccccd5c0ef5b1ca68f596e2bb230035c303a0b24b35668dfb1e9','SettleDebt','CC',2,4,2,3,6,200,15,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:39.476021','2026-11-30 05:14:39.476021',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(13,'14Y6WK3JAL8A4ZXWHR94PQPNNH7AFV4YFR9','write-off-1','b2f5934722e325aa9c2f3bd349c9bc8092c11b7d7f56bebf27730b870a957f2e','WriteOffDebt','Debt',2,4,2,3,NULL,100,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-11-30 05:14:39.483161','2026-11-30 05:14:39.483161',NULL,NULL,NULL,NULL);
INSERT INTO "fps_transaction" VALUES(14,'145I99F4HBO90G4K2TXRXV7R4SDW5PPWJIS','after-the-fold','5cc73ca34a961023bca998175f1f28a4b3632dce44536b3603b593af9622e5e2','Pay','Prepaid',1,3,1,1,2,1,0,'Recipient','Success','Success','The transaction was successful and the payment instrument was charged.',NULL,NULL,'2026-12-02 05:14:39.495405','2026-12-02 05:14:39.495405',NULL,NULL,NULL,NULL);
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
INSERT INTO "instrument" VALUES(1,'8VHXM76SXZ29BNVKVD5SEXLHREH5ZA2AL6WLNOE9BP0O9I96Y6Q32SQZOD0JR2GA','Prepaid',1,3,1,'USD',1000,774,1000,0,NULL,'CC',1,NULL,'2026-11-30 05:14:39.195338',NULL,'2026-11-30 05:14:39.264646');
INSERT INTO "instrument" VALUES(2,'RX4JJ8KPN9T6FJXLXSCEPTGJAJLNV4Z0KR06IABS5F2X56D2EEORCJGEDAHLPZWR','Prepaid',1,3,1,'USD',500,500,500,0,NULL,'ABT',NULL,NULL,'2026-11-30 05:14:39.368792',NULL,'2026-11-30 05:14:39.408552');
INSERT INTO "instrument" VALUES(3,'WDXV9U6IWHC9AMLH41NU3CX4VSIGGMK2FE2QE3BNOSI7ULWNUVI5D7PSDSLWYDC6','Credit',2,4,2,'USD',2000,0,0,0,10000,'CC',3,NULL,'2026-11-30 05:14:39.421646',NULL,'2026-11-30 05:14:39.460817');
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
INSERT INTO "ledger_entry" VALUES(7,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU',1,'funding:CC:1',-1000,'buyer pays by CC','2026-11-30 05:14:39.273962');
INSERT INTO "ledger_entry" VALUES(8,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU',1,'clearing',1000,'buyer pays by CC','2026-11-30 05:14:39.273962');
INSERT INTO "ledger_entry" VALUES(9,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU',1,'clearing',-970,'recipient receives net','2026-11-30 05:14:39.273962');
INSERT INTO "ledger_entry" VALUES(10,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU',1,'balance:1',970,'recipient receives net','2026-11-30 05:14:39.273962');
INSERT INTO "ledger_entry" VALUES(11,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU',1,'clearing',-30,'FPS fee (2.9% + $0.01)','2026-11-30 05:14:39.273962');
INSERT INTO "ledger_entry" VALUES(12,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU',1,'fee_revenue',30,'FPS fee (2.9% + $0.01)','2026-11-30 05:14:39.273962');
INSERT INTO "ledger_entry" VALUES(13,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU',1,'prepaid_liability:1',-1000,'prepaid value issued to the buyer','2026-11-30 05:14:39.273962');
INSERT INTO "ledger_entry" VALUES(14,'14IU2UGLNPO9TXZX2NX9FWNCB1EZDNBT2IU',1,'prepaid:1',1000,'prepaid value issued to the buyer','2026-11-30 05:14:39.273962');
INSERT INTO "ledger_entry" VALUES(15,'147KQ05GXEE9B71Y0XKPH422HVJ209ZY1DV',2,'prepaid:1',-50,'prepaid balance spent','2026-11-30 05:14:39.347062');
INSERT INTO "ledger_entry" VALUES(16,'147KQ05GXEE9B71Y0XKPH422HVJ209ZY1DV',2,'prepaid_liability:1',50,'prepaid balance spent','2026-11-30 05:14:39.347062');
INSERT INTO "ledger_entry" VALUES(17,'14BNE8B78P3BFACA3DVJEPG9NVUWRJE5GQ3',3,'prepaid:1',-50,'prepaid balance spent','2026-11-30 05:14:39.352937');
INSERT INTO "ledger_entry" VALUES(18,'14BNE8B78P3BFACA3DVJEPG9NVUWRJE5GQ3',3,'prepaid_liability:1',50,'prepaid balance spent','2026-11-30 05:14:39.352937');
INSERT INTO "ledger_entry" VALUES(19,'14U83SEVR5TY3Q46F754MJEN4NAKCW17DNE',4,'prepaid:1',-50,'prepaid balance spent','2026-11-30 05:14:39.355190');
INSERT INTO "ledger_entry" VALUES(20,'14U83SEVR5TY3Q46F754MJEN4NAKCW17DNE',4,'prepaid_liability:1',50,'prepaid balance spent','2026-11-30 05:14:39.355190');
INSERT INTO "ledger_entry" VALUES(21,'1464S8S1RN94V5X2CEDVZFSEY2D9XEMF07G',5,'prepaid:1',-50,'prepaid balance spent','2026-11-30 05:14:39.357458');
INSERT INTO "ledger_entry" VALUES(22,'1464S8S1RN94V5X2CEDVZFSEY2D9XEMF07G',5,'prepaid_liability:1',50,'prepaid balance spent','2026-11-30 05:14:39.357458');
INSERT INTO "ledger_entry" VALUES(23,'14GW40QDWQ2U08W6JA5B9QCJZNWD4N3FYQO',6,'prepaid:1',-50,'prepaid balance spent','2026-11-30 05:14:39.359687');
INSERT INTO "ledger_entry" VALUES(24,'14GW40QDWQ2U08W6JA5B9QCJZNWD4N3FYQO',6,'prepaid_liability:1',50,'prepaid balance spent','2026-11-30 05:14:39.359687');
INSERT INTO "ledger_entry" VALUES(25,'14AT4DQA98YRCEZ295PJTMT5Q9ZB0XWA5RT',7,'prepaid_liability:1',-25,'reversal: prepaid balance restored','2026-11-30 05:14:39.361735');
INSERT INTO "ledger_entry" VALUES(26,'14AT4DQA98YRCEZ295PJTMT5Q9ZB0XWA5RT',7,'prepaid:1',25,'reversal: prepaid balance restored','2026-11-30 05:14:39.361735');
INSERT INTO "ledger_entry" VALUES(27,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X',8,'balance:3',-500,'buyer pays by ABT','2026-11-30 05:14:39.412684');
INSERT INTO "ledger_entry" VALUES(28,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X',8,'clearing',500,'buyer pays by ABT','2026-11-30 05:14:39.412684');
INSERT INTO "ledger_entry" VALUES(29,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X',8,'clearing',-470,'recipient receives net','2026-11-30 05:14:39.412684');
INSERT INTO "ledger_entry" VALUES(30,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X',8,'balance:1',470,'recipient receives net','2026-11-30 05:14:39.412684');
INSERT INTO "ledger_entry" VALUES(31,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X',8,'clearing',-30,'FPS fee (5.0% + $0.05)','2026-11-30 05:14:39.412684');
INSERT INTO "ledger_entry" VALUES(32,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X',8,'fee_revenue',30,'FPS fee (5.0% + $0.05)','2026-11-30 05:14:39.412684');
INSERT INTO "ledger_entry" VALUES(33,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X',8,'prepaid_liability:1',-500,'prepaid value issued to the buyer','2026-11-30 05:14:39.412684');
INSERT INTO "ledger_entry" VALUES(34,'14ALTKVBDSHHOVXVRP5567YHZKKOBPHIP1X',8,'prepaid:2',500,'prepaid value issued to the buyer','2026-11-30 05:14:39.412684');
INSERT INTO "ledger_entry" VALUES(35,'14LP3BJ0IITJFB93IEST7NE4FIH58NWZQ3L',9,'credit_sales:2',-100,'charged on credit: the buyer owes it','2026-11-30 05:14:39.465662');
INSERT INTO "ledger_entry" VALUES(36,'14LP3BJ0IITJFB93IEST7NE4FIH58NWZQ3L',9,'receivable:3',100,'charged on credit: the buyer owes it','2026-11-30 05:14:39.465662');
INSERT INTO "ledger_entry" VALUES(37,'140FFFG8IXA50Y9B1E7ALTQ2C5A82ABEDFH',10,'credit_sales:2',-100,'charged on credit: the buyer owes it','2026-11-30 05:14:39.470399');
INSERT INTO "ledger_entry" VALUES(38,'140FFFG8IXA50Y9B1E7ALTQ2C5A82ABEDFH',10,'receivable:3',100,'charged on credit: the buyer owes it','2026-11-30 05:14:39.470399');
INSERT INTO "ledger_entry" VALUES(39,'14SRI9VS3W53M5WALYZZ106J663IV44HBTC',11,'credit_sales:2',-100,'charged on credit: the buyer owes it','2026-11-30 05:14:39.473292');
INSERT INTO "ledger_entry" VALUES(40,'14SRI9VS3W53M5WALYZZ106J663IV44HBTC',11,'receivable:3',100,'charged on credit: the buyer owes it','2026-11-30 05:14:39.473292');
INSERT INTO "ledger_entry" VALUES(41,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0',12,'funding:CC:3',-200,'buyer pays by CC','2026-11-30 05:14:39.476021');
INSERT INTO "ledger_entry" VALUES(42,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0',12,'clearing',200,'buyer pays by CC','2026-11-30 05:14:39.476021');
INSERT INTO "ledger_entry" VALUES(43,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0',12,'clearing',-185,'recipient receives net','2026-11-30 05:14:39.476021');
INSERT INTO "ledger_entry" VALUES(44,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0',12,'balance:2',185,'recipient receives net','2026-11-30 05:14:39.476021');
INSERT INTO "ledger_entry" VALUES(45,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0',12,'clearing',-15,'FPS fee (5.0% + $0.05)','2026-11-30 05:14:39.476021');
INSERT INTO "ledger_entry" VALUES(46,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0',12,'fee_revenue',15,'FPS fee (5.0% + $0.05)','2026-11-30 05:14:39.476021');
INSERT INTO "ledger_entry" VALUES(47,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0',12,'receivable:3',-200,'debt settled','2026-11-30 05:14:39.476021');
INSERT INTO "ledger_entry" VALUES(48,'14SEE5WCTKQ16AA7E3WUWO48KIPNT7L7JN0',12,'credit_sales:2',200,'debt settled','2026-11-30 05:14:39.476021');
INSERT INTO "ledger_entry" VALUES(49,'14Y6WK3JAL8A4ZXWHR94PQPNNH7AFV4YFR9',13,'receivable:3',-100,'debt written off (an expense of the recipient)','2026-11-30 05:14:39.483161');
INSERT INTO "ledger_entry" VALUES(50,'14Y6WK3JAL8A4ZXWHR94PQPNNH7AFV4YFR9',13,'written_off:2',100,'debt written off (an expense of the recipient)','2026-11-30 05:14:39.483161');
INSERT INTO "ledger_entry" VALUES(51,'145I99F4HBO90G4K2TXRXV7R4SDW5PPWJIS',14,'prepaid:1',-1,'prepaid balance spent','2026-12-02 05:14:39.495405');
INSERT INTO "ledger_entry" VALUES(52,'145I99F4HBO90G4K2TXRXV7R4SDW5PPWJIS',14,'prepaid_liability:1',1,'prepaid balance spent','2026-12-02 05:14:39.495405');
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
INSERT INTO "notification" VALUES(1,1,'TransactionStatus',1,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:39.273962',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(2,1,'TransactionStatus',2,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:39.347062',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(3,1,'TransactionStatus',3,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:39.352937',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(4,1,'TransactionStatus',4,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:39.355190',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(5,1,'TransactionStatus',5,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:39.357458',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(6,1,'TransactionStatus',6,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:39.359687',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(7,1,'TransactionStatus',7,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:39.361735',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(8,1,'TransactionStatus',8,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:39.412684',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(9,1,'TokenCancellation',NULL,4,NULL,NULL,NULL,'no_url','2026-11-30 05:14:39.417897',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(10,2,'TransactionStatus',9,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:39.465662',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(11,2,'TransactionStatus',10,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:39.470399',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(12,2,'TransactionStatus',11,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:39.473292',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(13,2,'TransactionStatus',12,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:39.476021',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(14,2,'TransactionStatus',13,NULL,'Success','Success',NULL,'no_url','2026-11-30 05:14:39.483161',NULL,0,0,0,NULL,NULL);
INSERT INTO "notification" VALUES(15,1,'TransactionStatus',14,NULL,'Success','Success','https://merchant.example.com/ipn','queued','2026-12-02 05:14:39.495405','2026-12-02 05:14:39.495405',0,0,1,NULL,NULL);
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
INSERT INTO "sandbox_meta" VALUES('schema_version','6');
INSERT INTO "sandbox_meta" VALUES('clock_offset_seconds','172800.0');
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
INSERT INTO "status_history" VALUES(1,1,'2026-11-30 05:14:39.273962','Success','Success',1000);
INSERT INTO "status_history" VALUES(2,2,'2026-11-30 05:14:39.347062','Success','Success',50);
INSERT INTO "status_history" VALUES(3,3,'2026-11-30 05:14:39.352937','Success','Success',50);
INSERT INTO "status_history" VALUES(4,4,'2026-11-30 05:14:39.355190','Success','Success',50);
INSERT INTO "status_history" VALUES(5,5,'2026-11-30 05:14:39.357458','Success','Success',50);
INSERT INTO "status_history" VALUES(6,6,'2026-11-30 05:14:39.359687','Success','Success',50);
INSERT INTO "status_history" VALUES(7,7,'2026-11-30 05:14:39.361735','Success','Success',25);
INSERT INTO "status_history" VALUES(8,8,'2026-11-30 05:14:39.412684','Success','Success',500);
INSERT INTO "status_history" VALUES(9,9,'2026-11-30 05:14:39.465662','Success','Success',100);
INSERT INTO "status_history" VALUES(10,10,'2026-11-30 05:14:39.470399','Success','Success',100);
INSERT INTO "status_history" VALUES(11,11,'2026-11-30 05:14:39.473292','Success','Success',100);
INSERT INTO "status_history" VALUES(12,12,'2026-11-30 05:14:39.476021','Success','Success',200);
INSERT INTO "status_history" VALUES(13,13,'2026-11-30 05:14:39.483161','Success','Success',100);
INSERT INTO "status_history" VALUES(14,14,'2026-12-02 05:14:39.495405','Success','Success',1);
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
INSERT INTO "token" VALUES(1,'EVMJQ7JO5WJRRFNL2LX87NVLOR27KAQCB1EZN74CG8WP23RQDNFWVFWDDXQ6WZE3','Funding','MultiUse',1,1,3,1,'fund-1','Active','CC',NULL,'2026-11-30 05:14:39.195338',NULL,'2026-11-30 05:14:39.264646',NULL,NULL);
INSERT INTO "token" VALUES(2,'DW666QY2E76P2QJZC29K7D4K8P7BD3WTBGNB918ZMC0ETQRCCSBSFKFUNIHU6PFL','PrepaidSender','MultiUse',1,1,3,1,'sender-1','Active','Prepaid',NULL,'2026-11-30 05:14:39.195338',NULL,'2026-11-30 05:14:39.264646',NULL,NULL);
INSERT INTO "token" VALUES(3,'LWGGEYFIMUXVVG60OOUEX6NRJ6NMZN6OVKVQD6FUYQLQ9A5VRWX39SMN6RCVEMXW','Funding','MultiUse',2,1,3,1,'fund-2','Active','ABT',NULL,'2026-11-30 05:14:39.368792',NULL,'2026-11-30 05:14:39.408552',NULL,NULL);
INSERT INTO "token" VALUES(4,'T3V83J2M8WPG4MA2ABBXUR7QH9DBI9PMNN1WKG3USH9T7YWA64CCYYG9DURLYP11','PrepaidSender','MultiUse',2,1,3,1,'sender-2','Inactive','Prepaid',NULL,'2026-11-30 05:14:39.368792',NULL,'2026-11-30 05:14:39.408552','2026-11-30 05:14:39.417897','lesson over');
INSERT INTO "token" VALUES(5,'HY02AW4BA5YZ1VHFAXX9IFN7I5W1E2O0BKUJTDJWL9NKOWL9HV5JIS444ZC7FASA','CreditSender','MultiUse',3,2,4,2,'reader-1','Active','Debt',NULL,'2026-11-30 05:14:39.421646',NULL,'2026-11-30 05:14:39.460817',NULL,NULL);
INSERT INTO "token" VALUES(6,'BG9J47IDHXYL2CANX4868WPBU62QX19ZV88A8KAKEA2NE0HMOL0G3QPL7IOJEAY3','Settlement','MultiUse',3,2,4,2,'settle-1','Active','CC',NULL,'2026-11-30 05:14:39.421646',NULL,'2026-11-30 05:14:39.460817',NULL,NULL);
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
CREATE INDEX ix_usage_limit_token_pk ON usage_limit (token_pk);
CREATE INDEX ix_fps_transaction_pending_due ON fps_transaction (due_at) WHERE status = 'Pending';
CREATE INDEX ix_fps_transaction_instrument_pk ON fps_transaction (instrument_pk);
CREATE INDEX ix_fps_transaction_parent_pk ON fps_transaction (parent_pk);
CREATE INDEX ix_fps_transaction_sender_token_pk ON fps_transaction (sender_token_pk);
CREATE INDEX ix_status_history_transaction_pk ON status_history (transaction_pk);
CREATE INDEX ix_ledger_entry_transaction_pk ON ledger_entry (transaction_pk);
CREATE INDEX ix_ledger_book ON ledger_entry (book);
CREATE INDEX ix_ledger_entry_journal ON ledger_entry (journal);
CREATE INDEX ix_notification_due ON notification (next_attempt_at) WHERE state = 'queued';
CREATE INDEX ix_notification_caller_id ON notification (caller_id);
CREATE INDEX ix_notification_transaction_pk ON notification (transaction_pk);
CREATE INDEX ix_delivery_attempt_notification_pk ON delivery_attempt (notification_pk);
COMMIT;
