"""Global-table replicas (moto has none): ReplicaUpdates, Replicas in DescribeTable, the replica tables."""
from .support import FidelityTestCase


class ReplicasTest(FidelityTestCase):
    def key(self, region):
        return self.endpoint.client("kms", region).create_key()["KeyMetadata"]["Arn"]

    def add(self, region, **extra):
        return self.ddb.update_table(TableName="orders", ReplicaUpdates=[{"Create": dict(RegionName=region,
                                                                                          **extra)}])

    def test_replicas_with_their_own_keys(self):
        home = self.key("us-east-1")
        self.create(SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": home})
        self.refused("ValidationException", self.add, "eu-west-1", contains="KMSMasterKeyId must be specified")
        west = self.key("eu-west-1")
        answer = self.add("eu-west-1", KMSMasterKeyId=west)["TableDescription"]
        self.assertEqual(answer["TableStatus"], "UPDATING")
        self.assertEqual(answer["Replicas"][0]["ReplicaStatus"], "CREATING")
        self.assertEqual(answer["GlobalTableVersion"], "2019.11.21")
        self.refused("ResourceInUseException", self.add, "ap-south-1", KMSMasterKeyId=self.key("ap-south-1"))
        self.settle()
        self.add("ap-south-1", KMSMasterKeyId=self.key("ap-south-1"), TableClassOverride="STANDARD_INFREQUENT_ACCESS")
        self.settle()
        replicas = {replica["RegionName"]: replica for replica in self.describe()["Replicas"]}
        self.assertEqual(set(replicas), {"eu-west-1", "ap-south-1"})
        self.assertEqual(replicas["eu-west-1"]["KMSMasterKeyId"], west)
        self.assertEqual(replicas["ap-south-1"]["ReplicaTableClassSummary"]["TableClass"],
                         "STANDARD_INFREQUENT_ACCESS")
        # The replica table answers in its own region, with the same schema and its own key.
        replica = self.describe(region="eu-west-1")
        self.assertEqual(replica["KeySchema"], self.describe()["KeySchema"])
        self.assertEqual(replica["SSEDescription"]["KMSMasterKeyArn"], west)
        self.assertEqual({entry["RegionName"] for entry in replica["Replicas"]}, {"us-east-1", "ap-south-1"})
        # Going global turned the stream on.
        self.assertEqual(self.describe()["StreamSpecification"]["StreamViewType"], "NEW_AND_OLD_IMAGES")

    def test_a_replica_key_changes_in_place(self):
        self.create(SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": self.key("us-east-1")})
        self.add("eu-west-1", KMSMasterKeyId=self.key("eu-west-1"))
        self.settle()
        new = self.key("eu-west-1")
        answer = self.ddb.update_table(TableName="orders", ReplicaUpdates=[{"Update": {
            "RegionName": "eu-west-1", "KMSMasterKeyId": new}}])["TableDescription"]
        self.assertEqual(answer["Replicas"][0]["ReplicaStatus"], "UPDATING")
        self.settle()
        self.assertEqual(self.describe()["Replicas"][0]["KMSMasterKeyId"], new)
        self.assertEqual(self.describe(region="eu-west-1")["SSEDescription"]["KMSMasterKeyArn"], new)

    def test_removing_a_replica_deletes_that_region_copy(self):
        self.create()
        self.add("eu-west-1")
        self.settle()
        self.ddb.update_table(TableName="orders", ReplicaUpdates=[{"Delete": {"RegionName": "eu-west-1"}}])
        self.settle()
        self.assertEqual(self.describe().get("Replicas", []), [])
        self.refused("ResourceNotFoundException", self.describe, region="eu-west-1")

    def test_the_documented_preconditions(self):
        self.create()
        self.refused("ValidationException", self.add, "us-east-1",
                     contains="Cannot add, delete, or update the local region through ReplicaUpdates")
        self.refused("ValidationException", self.ddb.update_table, TableName="orders", ReplicaUpdates=[
            {"Create": {"RegionName": "eu-west-1"}}, {"Create": {"RegionName": "ap-south-1"}}])
        self.refused("ValidationException", self.ddb.update_table, TableName="orders",
                     ReplicaUpdates=[{"Delete": {"RegionName": "eu-west-1"}}],
                     contains="Replica specified in the Replica Update or Replica Delete action of the request "
                              "was not found")
        west = self.endpoint.client("dynamodb", "eu-west-1")
        west.create_table(TableName="orders", BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        self.refused("ValidationException", self.add, "eu-west-1", contains="already existed as tables")

    def test_provisioned_write_capacity_must_be_autoscaled(self):
        self.create(BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 5,
                                                                      "WriteCapacityUnits": 5})
        self.refused("ValidationException", self.add, "eu-west-1",
                     contains="Table write capacity should either be Pay-Per-Request or AutoScaled.")
        scaling = self.endpoint.client("application-autoscaling")
        scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/orders",
                                         ScalableDimension="dynamodb:table:WriteCapacityUnits", MinCapacity=5,
                                         MaxCapacity=50)
        self.add("eu-west-1")

    def test_a_replica_table_deleted_in_its_region_leaves_the_group(self):
        self.create()
        self.add("eu-west-1")
        self.settle()
        self.endpoint.client("dynamodb", "eu-west-1").delete_table(TableName="orders")
        self.settle()
        self.assertEqual(self.describe().get("Replicas", []), [])
        self.add("eu-west-1")

    def test_a_malformed_replica_update_is_a_validation_error(self):
        self.create()
        self.refused("ValidationException", self.ddb.update_table, TableName="orders", ReplicaUpdates=[{}])
        self.refused("ValidationException", self.add, "nowhere")
