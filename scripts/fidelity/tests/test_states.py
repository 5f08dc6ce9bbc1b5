"""Asynchronous states and eventual consistency, as DynamoDB documents them."""

from .support import FidelityTestCase


class StatesTest(FidelityTestCase):
    def test_create_table_is_creating_then_active_after_the_delay(self):
        answer = self.create(settle=False)
        self.assertEqual(answer["TableStatus"], "CREATING")
        self.advance(1.2)  # past the eventual-consistency lag, not the creation
        self.assertEqual(self.describe()["TableStatus"], "CREATING")
        # The rest of the delay passes in real time.
        self.assertTrue(self.wait_for(lambda: self.describe()["TableStatus"] == "ACTIVE"))

    def test_describe_table_may_not_find_a_table_just_created(self):
        self.create(settle=False)
        self.refused("ResourceNotFoundException", self.ddb.describe_table, TableName="orders",
                     contains="Requested resource not found")
        self.assertTrue(self.wait_for(lambda: self.describe()["TableStatus"] in ("CREATING", "ACTIVE")))

    def test_update_table_makes_the_table_updating(self):
        self.create()
        answer = self.ddb.update_table(TableName="orders", DeletionProtectionEnabled=True)["TableDescription"]
        self.assertEqual(answer["TableStatus"], "UPDATING")
        self.assertEqual(self.describe()["TableStatus"], "UPDATING")
        self.settle()
        self.assertEqual(self.describe()["TableStatus"], "ACTIVE")
        self.assertTrue(self.describe()["DeletionProtectionEnabled"])

    def test_a_new_index_is_creating_with_backfilling_then_active(self):
        self.create()
        self.ddb.update_table(
            TableName="orders", AttributeDefinitions=[{"AttributeName": "status", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "by-status", "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}}])
        index = self.describe()["GlobalSecondaryIndexes"][0]
        self.assertEqual((index["IndexStatus"], index["Backfilling"]), ("CREATING", False))
        self.advance(3.5)
        index = self.describe()["GlobalSecondaryIndexes"][0]
        self.assertEqual((index["IndexStatus"], index["Backfilling"]), ("CREATING", True))
        self.settle()
        self.assertEqual(self.describe()["GlobalSecondaryIndexes"][0]["IndexStatus"], "ACTIVE")
        # The table keeps its own key definition (moto replaced the whole list).
        names = {item["AttributeName"] for item in self.describe()["AttributeDefinitions"]}
        self.assertEqual(names, {"id", "status"})

    def test_a_deleted_index_is_deleting_for_a_while(self):
        self.create(AttributeDefinitions=[{"AttributeName": "status", "AttributeType": "S"}],
                    GlobalSecondaryIndexes=[{"IndexName": "by-status",
                                             "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                                             "Projection": {"ProjectionType": "ALL"}}])
        self.assertNotIn("Backfilling", self.describe()["GlobalSecondaryIndexes"][0])
        self.ddb.update_table(TableName="orders", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-status"}}])
        self.assertEqual(self.describe()["GlobalSecondaryIndexes"][0]["IndexStatus"], "DELETING")
        self.settle()
        self.assertNotIn("GlobalSecondaryIndexes", self.describe())

    def test_encryption_really_changes_through_its_transitional_states(self):
        key = self.kms.create_key()["KeyMetadata"]["Arn"]
        self.kms.create_alias(AliasName="alias/orders", TargetKeyId=key)
        self.create()
        self.assertNotIn("SSEDescription", self.describe())
        answer = self.ddb.update_table(TableName="orders", SSESpecification={
            "Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/orders"})["TableDescription"]
        self.assertEqual(answer["SSEDescription"]["Status"], "ENABLING")
        self.assertEqual(answer["TableStatus"], "UPDATING")
        self.settle()
        self.assertEqual(self.describe()["SSEDescription"],
                         {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key})
        # Another key: UPDATING, and the old key is still reported until the switch is done.
        other = self.kms.create_key()["KeyMetadata"]["Arn"]
        self.ddb.update_table(TableName="orders", SSESpecification={
            "Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": other})
        shown = self.describe()["SSEDescription"]
        self.assertEqual((shown["Status"], shown["KMSMasterKeyArn"]), ("UPDATING", key))
        self.settle()
        self.assertEqual(self.describe()["SSEDescription"]["KMSMasterKeyArn"], other)
        # Back to the AWS owned key: DISABLING, then no SSEDescription at all.
        self.ddb.update_table(TableName="orders", SSESpecification={"Enabled": False})
        self.assertEqual(self.describe()["SSEDescription"]["Status"], "DISABLING")
        self.settle()
        self.assertNotIn("SSEDescription", self.describe())

    def test_create_table_resolves_an_alias_to_the_key_arn(self):
        key = self.kms.create_key()["KeyMetadata"]["Arn"]
        self.kms.create_alias(AliasName="alias/orders", TargetKeyId=key)
        answer = self.create(SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/orders"})
        self.assertEqual(answer["SSEDescription"]["KMSMasterKeyArn"], key)

    def test_create_table_refuses_an_unknown_key(self):
        self.refused("ValidationException", self.create, SSESpecification={
            "Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/missing"}, contains="alias/missing")

    def test_table_class_really_changes(self):
        self.create()
        self.assertEqual(self.describe()["TableClassSummary"]["TableClass"], "STANDARD")
        answer = self.ddb.update_table(TableName="orders", TableClass="STANDARD_INFREQUENT_ACCESS")
        self.assertEqual(answer["TableDescription"]["TableStatus"], "UPDATING")
        self.settle()
        summary = self.describe()["TableClassSummary"]
        self.assertEqual(summary["TableClass"], "STANDARD_INFREQUENT_ACCESS")
        self.assertIn("LastUpdateDateTime", summary)

    def test_time_to_live_goes_through_enabling_and_disabling(self):
        self.create()
        self.ddb.update_time_to_live(TableName="orders", TimeToLiveSpecification={"Enabled": True,
                                                                                    "AttributeName": "ttl"})
        ttl = self.ddb.describe_time_to_live(TableName="orders")["TimeToLiveDescription"]
        self.assertEqual(ttl, {"TimeToLiveStatus": "ENABLING", "AttributeName": "ttl"})
        self.advance(3600)
        self.assertEqual(self.ddb.describe_time_to_live(TableName="orders")["TimeToLiveDescription"]
                         ["TimeToLiveStatus"], "ENABLED")
        self.ddb.update_time_to_live(TableName="orders", TimeToLiveSpecification={"Enabled": False,
                                                                                    "AttributeName": "ttl"})
        self.assertEqual(self.ddb.describe_time_to_live(TableName="orders")["TimeToLiveDescription"]
                         ["TimeToLiveStatus"], "DISABLING")
        self.settle()
        self.assertEqual(self.ddb.describe_time_to_live(TableName="orders")["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "DISABLED"})

    def test_tags_show_only_after_a_delay(self):
        arn = self.create(Tags=[{"Key": "team", "Value": "security"}])["TableArn"]
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "team", "Value": "security"}])
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "platform"}])
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "team", "Value": "security"}])
        self.advance(1.5)
        # Overwritten, not duplicated (moto appends a second "team").
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "team", "Value": "platform"}])
        self.ddb.untag_resource(ResourceArn=arn, TagKeys=["team"])
        self.advance(1.5)
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"], [])

    def test_a_disabled_customer_key_makes_its_tables_inaccessible(self):
        key = self.kms.create_key()["KeyMetadata"]["Arn"]
        self.create(SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key})
        self.kms.disable_key(KeyId=key)
        self.assertEqual(self.describe()["TableStatus"], "ACTIVE")
        self.advance(1.5)
        table = self.describe()
        self.assertEqual(table["TableStatus"], "INACCESSIBLE_ENCRYPTION_CREDENTIALS")
        self.assertIn("InaccessibleEncryptionDateTime", table["SSEDescription"])
        self.kms.enable_key(KeyId=key)
        self.assertEqual(self.describe()["TableStatus"], "ACTIVE")

    def test_a_deleted_table_is_deleting_for_a_while_and_its_name_stays_taken(self):
        self.create()
        self.assertEqual(self.ddb.delete_table(TableName="orders")["TableDescription"]["TableStatus"], "DELETING")
        self.assertEqual(self.describe()["TableStatus"], "DELETING")
        self.refused("ResourceInUseException", self.create, contains="being deleted")
        self.settle()
        self.refused("ResourceNotFoundException", self.ddb.describe_table, TableName="orders")
        self.create()

    def test_indexes_created_with_the_table_are_creating_with_it(self):
        self.create(settle=False, AttributeDefinitions=[{"AttributeName": "status", "AttributeType": "S"}],
                    GlobalSecondaryIndexes=[{"IndexName": "by-status",
                                             "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                                             "Projection": {"ProjectionType": "ALL"}}])
        self.advance(1.2)
        index = self.describe()["GlobalSecondaryIndexes"][0]
        self.assertEqual(index["IndexStatus"], "CREATING")
        self.assertNotIn("Backfilling", index)
        self.settle()
        self.assertEqual(self.describe()["GlobalSecondaryIndexes"][0]["IndexStatus"], "ACTIVE")

    def test_answers_carry_a_request_id_and_a_crc32(self):
        self.create()
        answer = self.ddb.describe_table(TableName="orders")["ResponseMetadata"]["HTTPHeaders"]
        self.assertTrue(answer["x-amzn-requestid"])
        self.assertTrue(answer["x-amz-crc32"])
