# Collect evidence on FIN-WS-017 for the beaconing alert (incident 2026-11-23).
# Requires Windows PowerShell 5.1.22621.2506 or PowerShell 7.4.6; run elevated.
param(
    [string]$C2Address = '198.51.100.23',
    [string]$C2Defanged = '198.51.100[.]23',
    [int[]]$C2Ports = @(443, 8443),
    [string]$InternalAddress = '10.248.240.38',
    [datetime]$Since = '2026-11-16T00:00:00Z'
)

$ErrorActionPreference = 'Stop'
$out = "C:\IR\FIN-WS-017\$(Get-Date -Format 'yyyyMMdd-HHmmss')"
New-Item -ItemType Directory -Force -Path $out | Out-Null

# Live connections to the C2 server (IPv4 and the IPv4-mapped form some stacks report).
Get-NetTCPConnection -RemoteAddress $C2Address, '::ffff:198.51.100.23' -ErrorAction SilentlyContinue |
    Select-Object LocalAddress, LocalPort, RemoteAddress, RemotePort, State, OwningProcess, CreationTime |
    Export-Csv "$out\c2-connections.csv" -NoTypeInformation

foreach ($port in $C2Ports) {
    Test-NetConnection -ComputerName 198.51.100.23 -Port $port -InformationLevel Quiet |
        Out-File -Append "$out\c2-reachability.txt"
}

# Which adapter holds the internal address now, and since when (the DHCP lease).
Get-NetIPAddress -IPAddress $InternalAddress | Format-List * | Out-File "$out\ip-config.txt"
Get-NetIPAddress -AddressFamily IPv6 | Where-Object { $_.IPAddress -like 'fe80::*' } |
    Select-Object InterfaceAlias, IPAddress, PrefixLength | Out-File "$out\ipv6.txt"   # e.g. fe80::3e52:82ff:fe0a:1b2c%12

# DNS cache entries that resolve to the C2 server or the IPv6 destination.
Get-DnsClientCache | Where-Object { $_.Data -in @('198.51.100.23', '2001:db8:85a3::8a2e:370:7334') } |
    Export-Csv "$out\dns-cache.csv" -NoTypeInformation

# Security log: logons from outside since the lease began.
$filter = @{ LogName = 'Security'; Id = 4624, 4625; StartTime = $Since }
Get-WinEvent -FilterHashtable $filter |
    Where-Object { $_.Message -match 'Source Network Address:\s+(198\.51\.100\.23|192\.0\.2\.147)' } |
    Select-Object TimeCreated, Id, Message | Export-Csv "$out\logons.csv" -NoTypeInformation

# Contain: block the whole C2 range and the exfiltration target until triage is done.
New-NetFirewallRule -DisplayName 'IR block C2 range' -Direction Outbound -Action Block -RemoteAddress 198.51.100.0/24
New-NetFirewallRule -DisplayName 'IR block exfil' -Direction Outbound -Action Block -RemoteAddress 192.0.2.147, '2001:db8:85a3::/48'

# Not addresses: build numbers and times the scanner must leave alone.
$osBuild = [version]'10.0.26100.2454'
$agent = 'MsSense v10.8760.26100.1000'
Write-Host "Collected at $(Get-Date -Format 'HH:mm:ss') on build $osBuild with $agent"
