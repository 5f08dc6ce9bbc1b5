"""The state rules: each request DynamoDB refuses is refused with its code and message, and the request it
accepts is accepted."""
from .support import FidelityTestCase

STATUS_INDEX = {"IndexName": "by-status", "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}
OWNER_INDEX = {"IndexName": "by-owner", "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
               "Projection": {"ProjectionType": "ALL"}}
DEFINITIONS = [{"AttributeName": "status", "AttributeType": "S"}, {"AttributeName": "owner", "AttributeType": "S"}]


class RulesTest(FidelityTestCase):
    def test_no_update_while_the_table_is_updating(self):
        self.create()
        self.ddb.update_table(TableName="orders", DeletionProtectionEnabled=True)
        self.refused("ResourceInUseException", self.ddb.update_table, TableName="orders",
                     DeletionProtectionEnabled=False, contains="Table is being updated: orders")
        self.settle()
        self.ddb.update_table(TableName="orders", DeletionProtectionEnabled=False)

    def test_no_update_while_the_table_is_being_created(self):
        self.create(settle=False)
        self.advance(1.2)  # past the eventual-consistency lag, still CREATING
        self.refused("ResourceInUseException", self.ddb.update_table, TableName="orders",
                     DeletionProtectionEnabled=True, contains="Table is being created")

    def test_an_update_must_change_something(self):
        self.create()
        self.refused("ValidationException", self.ddb.update_table, TableName="orders",
                     contains="At least one of ProvisionedThroughput")

    def test_one_index_create_or_delete_per_call(self):
        self.create()
        self.refused("LimitExceededException", self.ddb.update_table, TableName="orders",
                     AttributeDefinitions=DEFINITIONS,
                     GlobalSecondaryIndexUpdates=[{"Create": STATUS_INDEX}, {"Create": OWNER_INDEX}],
                     contains="Only 1 online index can be created or deleted simultaneously per table")
        self.ddb.update_table(TableName="orders", AttributeDefinitions=DEFINITIONS[:1],
                              GlobalSecondaryIndexUpdates=[{"Create": STATUS_INDEX}])

    def test_one_index_in_flight_per_table(self):
        self.create()
        self.ddb.update_table(TableName="orders", AttributeDefinitions=DEFINITIONS[:1],
                              GlobalSecondaryIndexUpdates=[{"Create": STATUS_INDEX}])
        self.advance(1.5)  # the table is ACTIVE again; the index is still backfilling
        self.assertEqual(self.describe()["TableStatus"], "ACTIVE")
        self.refused("LimitExceededException", self.ddb.update_table, TableName="orders",
                     AttributeDefinitions=DEFINITIONS[1:], GlobalSecondaryIndexUpdates=[{"Create": OWNER_INDEX}],
                     contains="Only 1 online index")
        self.settle()
        self.ddb.update_table(TableName="orders", AttributeDefinitions=DEFINITIONS[1:],
                              GlobalSecondaryIndexUpdates=[{"Create": OWNER_INDEX}])

    def test_deleting_a_missing_index_is_not_found(self):
        self.create()
        self.refused("ResourceNotFoundException", self.ddb.update_table, TableName="orders",
                     GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "nope"}}])

    def test_stream_rules(self):
        self.create(StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
        first = self.describe()["LatestStreamArn"]
        self.refused("ResourceInUseException", self.ddb.update_table, TableName="orders",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
        # A new view type cannot be set in place either.
        self.refused("ResourceInUseException", self.ddb.update_table, TableName="orders",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        self.ddb.update_table(TableName="orders", StreamSpecification={"StreamEnabled": False})
        self.settle()
        self.assertNotIn("StreamSpecification", self.describe())
        self.refused("ValidationException", self.ddb.update_table, TableName="orders",
                     StreamSpecification={"StreamEnabled": False})
        # Enabled again: a new stream with a new ARN (moto refuses this).
        self.ddb.update_table(TableName="orders", StreamSpecification={"StreamEnabled": True,
                                                                        "StreamViewType": "NEW_IMAGE"})
        self.settle()
        table = self.describe()
        self.assertEqual(table["StreamSpecification"]["StreamViewType"], "NEW_IMAGE")
        self.assertNotEqual(table["LatestStreamArn"], first)

    def test_on_demand_to_provisioned_needs_throughput_for_the_table_and_every_index(self):
        self.create(AttributeDefinitions=DEFINITIONS[:1], GlobalSecondaryIndexes=[STATUS_INDEX])
        self.refused("ValidationException", self.ddb.update_table, TableName="orders", BillingMode="PROVISIONED",
                     contains="ProvisionedThroughput must be specified")
        self.refused("ValidationException", self.ddb.update_table, TableName="orders", BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                     contains="index: by-status")
        self.ddb.update_table(
            TableName="orders", BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
            GlobalSecondaryIndexUpdates=[{"Update": {"IndexName": "by-status", "ProvisionedThroughput": {
                "ReadCapacityUnits": 2, "WriteCapacityUnits": 2}}}])
        self.settle()
        self.assertEqual(self.describe()["BillingModeSummary"]["BillingMode"], "PROVISIONED")

    def test_throughput_on_an_on_demand_table_is_refused(self):
        self.create()
        self.refused("ValidationException", self.ddb.update_table, TableName="orders",
                     ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                     contains="PAY_PER_REQUEST")

    def test_on_demand_tables_report_zero_throughput(self):
        self.create(BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 5,
                                                                      "WriteCapacityUnits": 5})
        self.ddb.update_table(TableName="orders", BillingMode="PAY_PER_REQUEST")
        self.settle()
        throughput = self.describe()["ProvisionedThroughput"]
        self.assertEqual((throughput["ReadCapacityUnits"], throughput["WriteCapacityUnits"]), (0, 0))

    def test_time_to_live_changes_once_an_hour(self):
        self.create()
        self.ddb.update_time_to_live(TableName="orders", TimeToLiveSpecification={"Enabled": True,
                                                                                    "AttributeName": "ttl"})
        self.settle()
        self.refused("ValidationException", self.ddb.update_time_to_live, TableName="orders",
                     TimeToLiveSpecification={"Enabled": False, "AttributeName": "ttl"},
                     contains="Time to live has been modified multiple times within a fixed interval")
        self.advance(3600)
        self.ddb.update_time_to_live(TableName="orders", TimeToLiveSpecification={"Enabled": False,
                                                                                    "AttributeName": "ttl"})

    def test_enabling_time_to_live_that_is_enabled_is_refused(self):
        self.create()
        self.ddb.update_time_to_live(TableName="orders", TimeToLiveSpecification={"Enabled": True,
                                                                                    "AttributeName": "ttl"})
        self.advance(7200)
        self.refused("ValidationException", self.ddb.update_time_to_live, TableName="orders",
                     TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"},
                     contains="TimeToLive is already enabled")

    def test_point_in_time_recovery_is_unavailable_right_after_creation(self):
        self.create(settle=False)
        self.advance(1.2)
        self.refused("ContinuousBackupsUnavailableException", self.ddb.update_continuous_backups,
                     TableName="orders", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        self.settle()
        answer = self.ddb.update_continuous_backups(
            TableName="orders", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        self.assertEqual(answer["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
                         ["PointInTimeRecoveryStatus"], "ENABLED")

    def test_tag_limits(self):
        self.endpoint.control("POST", "settings", {"rates": {"TagResource": 100}})
        arn = self.create()["TableArn"]
        many = [{"Key": f"k{index}", "Value": "v"} for index in range(51)]
        self.refused("ValidationException", self.ddb.tag_resource, ResourceArn=arn, Tags=many,
                     contains="Too many tags")
        self.ddb.tag_resource(ResourceArn=arn, Tags=many[:50])
        self.refused("ValidationException", self.ddb.tag_resource, ResourceArn=arn,
                     Tags=[{"Key": "path", "Value": "tables/orders (v2).json"}],
                     contains="+ - = . _ : /")
        self.refused("ValidationException", self.ddb.tag_resource, ResourceArn=arn,
                     Tags=[{"Key": "team#1", "Value": "x"}])
        self.refused("ValidationException", self.ddb.tag_resource, ResourceArn=arn,
                     Tags=[{"Key": "k" * 129, "Value": "x"}])
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k0", "Value": "tables/orders v2.json +-=._:/ é"}])

    def test_tagging_a_table_that_is_not_active_is_refused(self):
        arn = self.create(settle=False)["TableArn"]
        self.refused("ResourceInUseException", self.ddb.tag_resource, ResourceArn=arn,
                     Tags=[{"Key": "team", "Value": "x"}])
        self.refused("ResourceNotFoundException", self.ddb.list_tags_of_resource,
                     ResourceArn=arn.replace("orders", "absent"))

    def test_create_table_billing_rules(self):
        self.refused("ValidationException", self.create, ProvisionedThroughput={"ReadCapacityUnits": 1,
                                                                                "WriteCapacityUnits": 1})
        self.refused("ValidationException", self.create, BillingMode="PROVISIONED")
        self.create()
        self.refused("ResourceInUseException", self.create, contains="Table already exists: orders")

    def test_throughput_that_does_not_change_is_refused(self):
        self.create(BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                    AttributeDefinitions=DEFINITIONS[:1],
                    GlobalSecondaryIndexes=[dict(STATUS_INDEX, ProvisionedThroughput={"ReadCapacityUnits": 1,
                                                                                      "WriteCapacityUnits": 1})])
        self.refused("ValidationException", self.ddb.update_table, TableName="orders",
                     ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                     contains="The provisioned throughput for the table will not change")
        self.refused("ValidationException", self.ddb.update_table, TableName="orders",
                     GlobalSecondaryIndexUpdates=[{"Update": {"IndexName": "by-status", "ProvisionedThroughput": {
                         "ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}], contains="will not change")
        self.ddb.update_table(TableName="orders", ProvisionedThroughput={"ReadCapacityUnits": 6,
                                                                         "WriteCapacityUnits": 5})

    def test_a_disabled_stream_keeps_reporting_its_arn(self):
        self.create(StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
        arn = self.describe()["LatestStreamArn"]
        self.ddb.update_table(TableName="orders", StreamSpecification={"StreamEnabled": False})
        self.settle()
        table = self.describe()
        self.assertNotIn("StreamSpecification", table)
        self.assertEqual(table["LatestStreamArn"], arn)

    def test_an_unknown_table_class_is_refused(self):
        self.create()
        self.refused("ValidationException", self.ddb.update_table, TableName="orders", TableClass="STANDARD_IA")

    def test_tags_are_served_in_their_own_region_only(self):
        arn = self.create()["TableArn"]
        west = self.endpoint.client("dynamodb", "eu-west-1")
        self.refused("ResourceNotFoundException", west.list_tags_of_resource, ResourceArn=arn)
        self.refused("ResourceNotFoundException", west.tag_resource, ResourceArn=arn,
                     Tags=[{"Key": "a", "Value": "b"}])
