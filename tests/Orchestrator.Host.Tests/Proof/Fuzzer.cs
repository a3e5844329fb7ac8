using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Orchestrator.Host.Tests.Proof;

/// <summary>Seeded random and mutated inputs: JSON shapes, form fields, raw bytes, header values.</summary>
internal sealed class Fuzzer(int seed)
{
    // Fields that name where the host will call back: only ever pointed at loopback or at nonsense, so that a fuzz run
    // never sends anything off this machine.
    private static readonly HashSet<string> CallbackFields = ["serviceUrl", "response_url"];
    private static readonly string[] SafeUrls = ["http://127.0.0.1:1/", "not a url", "", "ftp://127.0.0.1/x", "http://[::1]:1/", "javascript:alert(1)"];

    public Random Random { get; } = new(seed);

    public T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

    public bool Chance(int percent) => Random.Next(100) < percent;

    /// <summary>A value of any JSON kind, sometimes huge, deep or strange.</summary>
    public JsonNode? Value(int depth = 0)
    {
        switch (Random.Next(depth > 3 ? 12 : 16))
        {
            case 0: return null;
            case 1: return JsonValue.Create(Random.Next(int.MinValue, int.MaxValue));
            case 2: return JsonValue.Create(Pick([double.MaxValue, double.Epsilon, -0.0, 1e-300, 12345.678]));
            case 3: return JsonValue.Create(Chance(50));
            case 4: return JsonValue.Create("");
            case 5: return JsonValue.Create(Text(Random.Next(1, 40)));
            case 6: return JsonValue.Create(new string('x', Pick([255, 4096, 70_000])));
            case 7: return JsonValue.Create(Pick(["\u0000", "\uFFFD", "😀", "\u202E", "%00", "<script>", "' OR 1=1 --", "../../etc/passwd", "approve", "a|b", "|", "x|", "purchase-1|a1", "purchase-999999999999|zz"]));
            case 8: return JsonValue.Create(Pick(["block_actions", "view_submission", "event_callback", "url_verification", "message", "invoke", "adaptiveCard/action", "conversationUpdate", "shortcut"]));
            case 9: return JsonValue.Create(DateTimeOffset.UnixEpoch.AddSeconds(Random.Next()).ToString("O", CultureInfo.InvariantCulture));
            case 10: return JsonValue.Create(Pick(["approve", "reject", "request_info", "done", "start purchase amount=5 item=x", "help", "status", "mine", "admin stuck", "delegate off"]));
            case 11: return JsonValue.Create(long.MaxValue);
            case 12: return Deep(Pick([10, 40, 60]));
            case 13: return new JsonArray([.. Enumerable.Range(0, Random.Next(0, 4)).Select(_ => Value(depth + 1))]);
            default:
                var o = new JsonObject();
                for (var i = Random.Next(0, 4); i > 0; i--) o[Text(Random.Next(1, 12))] = Value(depth + 1);
                return o;
        }
    }

    /// <summary>A copy of <paramref name="seedNode"/> with a few of its values replaced, removed or added.</summary>
    public JsonNode Mutate(JsonNode seedNode)
    {
        var copy = seedNode.DeepClone();
        var rounds = Random.Next(1, 4);
        for (var i = 0; i < rounds; i++)
        {
            var containers = new List<JsonNode>();
            Collect(copy, containers);
            var target = Pick(containers);
            if (target is JsonObject o)
            {
                var keys = o.Select(p => p.Key).ToList();
                if (keys.Count == 0 || Chance(15)) o[Text(Random.Next(1, 10))] = Value();
                else
                {
                    var key = Pick(keys);
                    if (Chance(25)) o.Remove(key);
                    else o[key] = CallbackFields.Contains(key) ? JsonValue.Create(Pick(SafeUrls)) : Value();
                }
            }
            else if (target is JsonArray a)
            {
                if (a.Count == 0 || Chance(30)) a.Add(Value());
                else if (Chance(30)) a.RemoveAt(Random.Next(a.Count));
                else a[Random.Next(a.Count)] = Value();
            }
        }
        return copy;
    }

    /// <summary>Form fields with some dropped, doubled, emptied, replaced or made huge.</summary>
    public List<(string Key, string Value)> Mutate(IReadOnlyList<(string Key, string Value)> fields)
    {
        var result = fields.ToList();
        for (var i = Random.Next(1, 4); i > 0 && result.Count > 0; i--)
        {
            var n = Random.Next(result.Count);
            var (key, value) = result[n];
            switch (Random.Next(7))
            {
                case 0: result.RemoveAt(n); break;
                case 1: result.Add((key, Text(8))); break;
                case 2: result[n] = (key, ""); break;
                case 3: result[n] = (key, CallbackFields.Contains(key) ? Pick(SafeUrls) : new string('y', Pick([300, 10_000, 200_000]))); break;
                case 4: result[n] = (key, Value()?.ToJsonString() ?? "null"); break;
                case 5: result[n] = (Text(6), value); break;
                default: result[n] = (key, CallbackFields.Contains(key) ? Pick(SafeUrls) : Text(Random.Next(1, 30))); break;
            }
        }
        return result;
    }

    /// <summary>Bytes flipped, cut off, or spliced with invalid UTF-8.</summary>
    public byte[] Corrupt(byte[] body)
    {
        var bytes = body.ToList();
        switch (Random.Next(4))
        {
            case 0:
                for (var i = Random.Next(1, 8); i > 0 && bytes.Count > 0; i--) bytes[Random.Next(bytes.Count)] = (byte)Random.Next(256);
                break;
            case 1:
                var cut = Random.Next(bytes.Count + 1);
                bytes.RemoveRange(cut, bytes.Count - cut);
                break;
            case 2:
                bytes.InsertRange(Random.Next(bytes.Count + 1), [0xC3, 0x28, 0xFF, 0xFE, 0x00]);
                break;
            default:
                var noise = new byte[Random.Next(1, 64)];
                Random.NextBytes(noise);
                bytes.InsertRange(Random.Next(bytes.Count + 1), noise);
                break;
        }
        return [.. bytes];
    }

    public byte[] Noise(int length)
    {
        var bytes = new byte[length];
        Random.NextBytes(bytes);
        return bytes;
    }

    public string ContentType(string usual) => Random.Next(10) switch
    {
        < 5 => usual,
        5 => "text/plain",
        6 => Pick(["application/json", "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-16"]),
        7 => "multipart/form-data; boundary=----x",
        8 => Pick(["", ";;;", "a/b/c", "application/json; charset=nonsense", "*/*"]),
        _ => Text(12),
    };

    public string Text(int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABC0123456789 _-|:.@<>\"'&=%+#/\\{}[]\u00e9\u4e2d";
        var sb = new StringBuilder(length);
        for (var i = 0; i < length; i++) sb.Append(alphabet[Random.Next(alphabet.Length)]);
        return sb.ToString();
    }

    private JsonObject Deep(int levels)
    {
        var root = new JsonObject();
        var current = root;
        for (var i = 0; i < levels; i++)
        {
            var next = new JsonObject();
            current["d"] = next;
            current = next;
        }
        return root;
    }

    private static void Collect(JsonNode node, List<JsonNode> containers)
    {
        if (node is JsonObject o)
        {
            containers.Add(o);
            foreach (var (_, v) in o)
                if (v is not null) Collect(v, containers);
        }
        else if (node is JsonArray a)
        {
            containers.Add(a);
            foreach (var v in a)
                if (v is not null) Collect(v, containers);
        }
    }
}
