"""Quotas, answered with AWS's messages and the description fields that tell when the next change is allowed."""
from .support import FidelityTestCase

HOUR = 3600


class QuotasTest(FidelityTestCase):
    def keys(self, count):
        return [self.kms.create_key()["KeyMetadata"]["Arn"] for _ in range(count)]

    def switch(self, key):
        spec = {"Enabled": False} if key is None else {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key}
        return self.ddb.update_table(TableName="orders", SSESpecification=spec)

    def test_four_key_switches_a_day_then_one_per_six_hours_and_the_owned_key_always(self):
        keys = self.keys(6)
        self.create()
        for key in keys[:4]:
            self.switch(key)
            self.settle()
        message = self.refused("LimitExceededException", self.switch, keys[4])
        self.assertIn("Encryption mode changes are limited in the 24h window ending at", message)
        self.assertIn("at most once every 21600 seconds. Number of updates today: 4", message)
        self.switch(None)  # the AWS owned key is always allowed
        self.advance(6 * HOUR)
        self.switch(keys[4])
        self.settle()
        self.refused("LimitExceededException", self.switch, keys[5])

    def test_throughput_decreases_four_then_one_an_hour_and_increases_always(self):
        self.create(BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 100,
                                                                      "WriteCapacityUnits": 100})
        # Stay inside one UTC day whatever the hour the test runs at.
        now = self.endpoint.control("GET", "clock")["now"]
        self.advance(86400 - now % 86400 + 60)
        for units in (90, 80, 70, 60):
            self.ddb.update_table(TableName="orders", ProvisionedThroughput={"ReadCapacityUnits": units,
                                                                             "WriteCapacityUnits": 100})
            self.settle()
        throughput = self.describe()["ProvisionedThroughput"]
        self.assertEqual(throughput["NumberOfDecreasesToday"], 4)
        self.assertIn("LastDecreaseDateTime", throughput)
        message = self.refused("LimitExceededException", self.ddb.update_table, TableName="orders",
                               ProvisionedThroughput={"ReadCapacityUnits": 50, "WriteCapacityUnits": 100})
        self.assertIn("Provisioned throughput decreases are limited within a given UTC day", message)
        self.assertIn("Number of decreases today: 4", message)
        self.assertIn("Next decrease can be made at", message)
        self.ddb.update_table(TableName="orders", ProvisionedThroughput={"ReadCapacityUnits": 500,
                                                                         "WriteCapacityUnits": 100})
        self.settle()
        self.assertIn("LastIncreaseDateTime", self.describe()["ProvisionedThroughput"])
        self.advance(HOUR)
        self.ddb.update_table(TableName="orders", ProvisionedThroughput={"ReadCapacityUnits": 50,
                                                                         "WriteCapacityUnits": 100})

    def test_index_decreases_are_counted_apart_from_the_table(self):
        self.create(BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 100,
                                                                      "WriteCapacityUnits": 100},
                    AttributeDefinitions=[{"AttributeName": "status", "AttributeType": "S"}],
                    GlobalSecondaryIndexes=[{"IndexName": "by-status",
                                             "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                                             "Projection": {"ProjectionType": "ALL"},
                                             "ProvisionedThroughput": {"ReadCapacityUnits": 100,
                                                                       "WriteCapacityUnits": 100}}])
        now = self.endpoint.control("GET", "clock")["now"]
        self.advance(86400 - now % 86400 + 60)
        for units in (90, 80, 70, 60):
            self.ddb.update_table(TableName="orders", GlobalSecondaryIndexUpdates=[{"Update": {
                "IndexName": "by-status", "ProvisionedThroughput": {"ReadCapacityUnits": units,
                                                                    "WriteCapacityUnits": 100}}}])
            self.settle()
        index = self.describe()["GlobalSecondaryIndexes"][0]
        self.assertEqual(index["ProvisionedThroughput"]["NumberOfDecreasesToday"], 4)
        self.refused("LimitExceededException", self.ddb.update_table, TableName="orders",
                     GlobalSecondaryIndexUpdates=[{"Update": {"IndexName": "by-status", "ProvisionedThroughput": {
                         "ReadCapacityUnits": 50, "WriteCapacityUnits": 100}}}])
        self.ddb.update_table(TableName="orders", ProvisionedThroughput={"ReadCapacityUnits": 50,
                                                                         "WriteCapacityUnits": 100})

    def test_switches_to_on_demand_are_limited_and_reported(self):
        self.create(BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 5,
                                                                      "WriteCapacityUnits": 5})
        self.assertNotIn("LastUpdateToPayPerRequestDateTime", self.describe()["BillingModeSummary"])
        for _ in range(4):
            self.ddb.update_table(TableName="orders", BillingMode="PAY_PER_REQUEST")
            self.settle()
            self.ddb.update_table(TableName="orders", BillingMode="PROVISIONED",
                                  ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
            self.settle()
        self.assertIn("LastUpdateToPayPerRequestDateTime", self.describe()["BillingModeSummary"])
        self.refused("LimitExceededException", self.ddb.update_table, TableName="orders",
                     BillingMode="PAY_PER_REQUEST", contains="Update to PayPerRequest mode are limited")
        self.advance(24 * HOUR)
        self.ddb.update_table(TableName="orders", BillingMode="PAY_PER_REQUEST")

    def test_table_class_switches_are_limited_to_two_in_thirty_days(self):
        self.create()
        for table_class in ("STANDARD_INFREQUENT_ACCESS", "STANDARD"):
            self.ddb.update_table(TableName="orders", TableClass=table_class)
            self.settle()
        self.refused("LimitExceededException", self.ddb.update_table, TableName="orders",
                     TableClass="STANDARD_INFREQUENT_ACCESS", contains="table class updates")
        self.advance(30 * 86400)
        self.ddb.update_table(TableName="orders", TableClass="STANDARD_INFREQUENT_ACCESS")

    def test_tables_and_indexes_changing_at_once_are_limited(self):
        self.endpoint.control("POST", "settings", {"maxConcurrentChanges": 2})
        self.create("orders-1", settle=False)
        self.create("orders-2", settle=False)
        self.refused("LimitExceededException", self.create, "orders-3", settle=False,
                     contains="Only 2 tables can be created, updated, or deleted simultaneously")
        self.settle()
        self.create("orders-3")
